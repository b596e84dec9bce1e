import Dates
import Foundation

/// A value that can be sent to PostgreSQL as a text-format parameter.
public protocol PostgresEncodable: Sendable {
    /// The value in PostgreSQL's text input format.
    var postgresText: String { get }
}

/// One query parameter: a value, or `nil` for SQL NULL.
public typealias PostgresBind = (any PostgresEncodable)?

extension String: PostgresEncodable {
    public var postgresText: String { self }
}

extension Substring: PostgresEncodable {
    public var postgresText: String { String(self) }
}

extension Int: PostgresEncodable {
    public var postgresText: String { String(self) }
}

extension Int32: PostgresEncodable {
    public var postgresText: String { String(self) }
}

extension Int64: PostgresEncodable {
    public var postgresText: String { String(self) }
}

extension Double: PostgresEncodable {
    public var postgresText: String { String(self) }
}

extension Bool: PostgresEncodable {
    public var postgresText: String { self ? "t" : "f" }
}

extension CivilDate: PostgresEncodable, PostgresArrayElement {
    public var postgresText: String { description }
}

extension Date: PostgresEncodable {
    /// RFC 3339 in UTC with microseconds, which PostgreSQL reads as `timestamptz`.
    public var postgresText: String { PostgresTimestamp.format(self) }
}

/// Raw bytes, sent and read as `bytea` in hex form (`\x0a1b...`).
public struct PostgresBytes: PostgresEncodable, Hashable {
    public var bytes: [UInt8]
    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public var postgresText: String {
        var text = "\\x"
        text.reserveCapacity(2 + bytes.count * 2)
        for byte in bytes {
            text.append(PostgresBytes.hexDigits[Int(byte >> 4)])
            text.append(PostgresBytes.hexDigits[Int(byte & 0x0f)])
        }
        return text
    }

    static let hexDigits: [Character] = Array("0123456789abcdef")

    /// Parses PostgreSQL's hex `bytea` output.
    init?(hexOutput text: String) {
        let utf8 = Array(text.utf8)
        guard utf8.count >= 2, utf8[0] == UInt8(ascii: "\\"), utf8[1] == UInt8(ascii: "x"), utf8.count % 2 == 0 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
            default: return nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity((utf8.count - 2) / 2)
        var i = 2
        while i < utf8.count {
            guard let hi = nibble(utf8[i]), let lo = nibble(utf8[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        self.bytes = out
    }
}

/// Conversion of `timestamptz` values between PostgreSQL text and `Date`.
enum PostgresTimestamp {
    /// Formats as `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
    static func format(_ date: Date) -> String {
        let totalMicros = (date.timeIntervalSince1970 * 1_000_000).rounded()
        let micros = Int(totalMicros)
        let seconds = micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000
        let fraction = micros - seconds * 1_000_000
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let day = CivilDate(dayNumber: days)
        func pad(_ v: Int, _ w: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, w - s.count)) + s
        }
        return "\(day)T\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2)).\(pad(fraction, 6))Z"
    }

    /// Parses PostgreSQL's ISO output, e.g. `2026-11-20 09:30:00.123+00` or
    /// `2026-11-20 09:30:00` (timestamp without time zone, read as UTC).
    static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 19, let day = CivilDate(iso: text.prefix(10)),
            bytes[10] == UInt8(ascii: " ") || bytes[10] == UInt8(ascii: "T")
        else { return nil }
        func digits(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= bytes.count else { return nil }
            var v = 0
            for i in from..<(from + count) {
                let b = bytes[i]
                guard b >= 48, b <= 57 else { return nil }
                v = v * 10 + Int(b - 48)
            }
            return v
        }
        guard let h = digits(11, 2), let m = digits(14, 2), let s = digits(17, 2) else { return nil }
        var index = 19
        var fraction = 0.0
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            var scale = 0.1
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                fraction += Double(bytes[index] - 48) * scale
                scale /= 10
                index += 1
            }
        }
        var offsetSeconds = 0
        if index < bytes.count {
            let sign = bytes[index]
            guard sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") else {
                if sign == UInt8(ascii: "Z"), index + 1 == bytes.count { return make(day, h, m, s, fraction, 0) }
                return nil
            }
            guard let oh = digits(index + 1, 2) else { return nil }
            var om = 0
            var os = 0
            if index + 3 < bytes.count, bytes[index + 3] == UInt8(ascii: ":") {
                om = digits(index + 4, 2) ?? 0
                if index + 6 < bytes.count, bytes[index + 6] == UInt8(ascii: ":") { os = digits(index + 7, 2) ?? 0 }
            }
            offsetSeconds = (oh * 3600 + om * 60 + os) * (sign == UInt8(ascii: "-") ? -1 : 1)
        }
        return make(day, h, m, s, fraction, offsetSeconds)
    }

    private static func make(_ day: CivilDate, _ h: Int, _ m: Int, _ s: Int, _ fraction: Double, _ offset: Int) -> Date {
        let seconds = day.dayNumber * 86_400 + h * 3600 + m * 60 + s - offset
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }
}
