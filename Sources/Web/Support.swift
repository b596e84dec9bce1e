import Dates
import Deadlines
import Foundation
import NIOConcurrencyHelpers
import Store

/// Counts per client address in fixed windows: `allow` is false once an address has made
/// `limit` attempts in the current window. Kept in memory (a restart forgets), pruned as it grows.
final class RateLimiter: Sendable {
    let limit: Int
    let window: Duration
    private let counts = NIOLockedValueBox<[String: (start: ContinuousClock.Instant, count: Int)]>([:])

    init(limit: Int, window: Duration) {
        self.limit = limit
        self.window = window
    }

    func allow(_ address: String, now: ContinuousClock.Instant = .now) -> Bool {
        counts.withLockedValue { counts in
            if counts.count > 50_000 { counts = counts.filter { now - $0.value.start < window } }
            var entry = counts[address] ?? (now, 0)
            if now - entry.start >= window { entry = (now, 0) }
            entry.count += 1
            counts[address] = entry
            return entry.count <= limit
        }
    }
}

/// `application/x-www-form-urlencoded`, as a browser sends a form: the first value of each name.
enum FormBody {
    static func parse(_ text: String) -> [String: String] {
        var values: [String: String] = [:]
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = decode(parts[0]) else { continue }
            let value = parts.count > 1 ? decode(parts[1]) ?? "" : ""
            if values[name] == nil { values[name] = value }
        }
        return values
    }

    static func decode(_ text: Substring) -> String? {
        String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}

/// An officer's due dates as an RFC 5545 calendar: one all-day event per open assigned request
/// on its due date, and a to-do for its next progress update. References and kinds only: no
/// requester, no subject.
enum ICalendar {
    static func render(login: String, items: [CalendarItem], now: Date = Date()) -> String {
        let stamp = Self.stamp(now)
        var lines = [
            "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//foiflow//due dates//EN", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
            "X-WR-CALNAME:\(text("Due dates: \(login)"))",
        ]
        for item in items {
            if let due = item.due {
                lines += [
                    "BEGIN:VEVENT", "UID:\(item.ref)-due@foiflow", "DTSTAMP:\(stamp)", "DTSTART;VALUE=DATE:\(day(due))",
                    "DTEND;VALUE=DATE:\(day(due.adding(days: 1)))", "SUMMARY:\(text("\(item.ref) due (\(item.kind.title))"))",
                    "DESCRIPTION:\(text("\(item.ref) is \(item.state.rawValue.replacingOccurrences(of: "_", with: " ")); the answer is due by \(due)."))",
                    "TRANSP:TRANSPARENT", "END:VEVENT",
                ]
            }
            if let update = item.updateDue {
                lines += [
                    "BEGIN:VTODO", "UID:\(item.ref)-update@foiflow", "DTSTAMP:\(stamp)", "DUE;VALUE=DATE:\(day(update))",
                    "SUMMARY:\(text("\(item.ref): progress update to the requester due"))", "END:VTODO",
                ]
            }
        }
        lines.append("END:VCALENDAR")
        return lines.map(fold).joined(separator: "\r\n") + "\r\n"
    }

    static func day(_ date: CivilDate) -> String { date.description.replacingOccurrences(of: "-", with: "") }

    static func stamp(_ date: Date) -> String {
        Timestamps.rfc3339(date).replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ":", with: "")
    }

    /// A TEXT value: backslash, semicolon, comma and line breaks escaped (RFC 5545 3.3.11).
    static func text(_ value: String) -> String {
        var out = ""
        for character in value {
            switch character {
            case "\\": out += "\\\\"
            case ";": out += "\\;"
            case ",": out += "\\,"
            case "\n", "\r\n", "\r": out += "\\n"
            default: out.append(character)
            }
        }
        return out
    }

    /// Lines longer than 75 octets folded (RFC 5545 3.1), never inside a character.
    static func fold(_ line: String) -> String {
        guard line.utf8.count > 75 else { return line }
        var parts: [String] = [], current = "", size = 0
        for character in line {
            let length = String(character).utf8.count
            if size + length > (parts.isEmpty ? 75 : 74) {
                parts.append(current)
                current = ""
                size = 0
            }
            current.append(character)
            size += length
        }
        parts.append(current)
        return parts.joined(separator: "\r\n ")
    }
}
