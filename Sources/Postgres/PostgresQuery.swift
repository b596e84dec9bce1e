/// A SQL statement whose interpolated values become parameters.
///
/// Written as a string literal, each `\(value)` is sent as the next `$n` parameter and
/// never spliced into the SQL text, so a statement cannot drift out of step with its list
/// of values, and user data cannot become SQL:
///
/// ```swift
/// let query: PostgresQuery = "SELECT ref FROM requests WHERE kind = \(kind.rawValue) AND due <= \(date)"
/// // sql: "SELECT ref FROM requests WHERE kind = $1 AND due <= $2", binds: [kind, date]
/// ```
///
/// Trusted SQL fragments (a constant column list) go in with `\(unescaped:)`. The same
/// value interpolated twice is two parameters. The SQL text of a statement is the same on
/// every call, so connections prepare it once (`PostgresConnection.query`).
public struct PostgresQuery: Sendable, ExpressibleByStringInterpolation {
    /// The SQL text, with `$1`, `$2`, ... where values were interpolated.
    public var sql: String
    /// The parameters, in order.
    public var binds: [PostgresBind]

    /// A statement from SQL text and its parameters, numbered by hand.
    public init(unsafeSQL sql: String, binds: [PostgresBind] = []) {
        self.sql = sql
        self.binds = binds
    }

    public init(stringLiteral value: String) {
        self.init(unsafeSQL: value)
    }

    public init(stringInterpolation: StringInterpolation) {
        self.init(unsafeSQL: stringInterpolation.sql, binds: stringInterpolation.binds)
    }

    /// Builds the SQL text and the parameters of an interpolated literal.
    public struct StringInterpolation: StringInterpolationProtocol {
        var sql: String
        var binds: [PostgresBind]

        public init(literalCapacity: Int, interpolationCount: Int) {
            sql = ""
            sql.reserveCapacity(literalCapacity + interpolationCount * 3)
            binds = []
            binds.reserveCapacity(interpolationCount)
        }

        public mutating func appendLiteral(_ literal: String) {
            sql += literal
        }

        /// A value, sent as the next parameter.
        public mutating func appendInterpolation<Value: PostgresEncodable>(_ value: Value) {
            binds.append(value)
            sql += "$\(binds.count)"
        }

        /// A value or SQL NULL, sent as the next parameter.
        public mutating func appendInterpolation<Value: PostgresEncodable>(_ value: Value?) {
            binds.append(value)
            sql += "$\(binds.count)"
        }

        /// Trusted SQL text (a constant fragment), spliced as it is.
        public mutating func appendInterpolation(unescaped fragment: String) {
            sql += fragment
        }

        /// Another statement's text and values, spliced in (its `$n` renumbered after the
        /// values so far): a statement built from optional parts, each part's text constant.
        /// The part's text must hold `$` only in front of its parameters' numbers.
        public mutating func appendInterpolation(_ part: PostgresQuery) {
            let offset = binds.count
            binds += part.binds
            guard offset > 0 else {
                sql += part.sql
                return
            }
            var utf8 = Array(part.sql.utf8)[...]
            while let dollar = utf8.firstIndex(of: UInt8(ascii: "$")) {
                sql += String(decoding: utf8[..<dollar], as: UTF8.self) + "$"
                utf8 = utf8[(dollar + 1)...]
                let digits = utf8.prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
                if let number = Int(String(decoding: digits, as: UTF8.self)) {
                    sql += String(number + offset)
                    utf8 = utf8.dropFirst(digits.count)
                }
            }
            sql += String(decoding: utf8, as: UTF8.self)
        }
    }
}

/// A value that can stand in a PostgreSQL array literal (`{"a","b",NULL}`).
public protocol PostgresArrayElement: Sendable {
    /// The element as it is written inside an array literal.
    var postgresArrayText: String { get }
}

extension PostgresArrayElement where Self: PostgresEncodable {
    /// The element's text, double-quoted with `"` and `\` escaped (one pass over UTF-8: the
    /// nightly job sends tens of thousands of letters this way).
    public var postgresArrayText: String {
        let text = postgresText
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count + 8)
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { bytes.append(UInt8(ascii: "\\")) }
            bytes.append(byte)
        }
        bytes.append(UInt8(ascii: "\""))
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension String: PostgresArrayElement {}
extension Int: PostgresArrayElement {}
extension Int64: PostgresArrayElement {}
extension Bool: PostgresArrayElement {}

extension Optional: PostgresArrayElement where Wrapped: PostgresArrayElement {
    /// `NULL` for `nil`.
    public var postgresArrayText: String {
        switch self {
        case .some(let value): value.postgresArrayText
        case .none: "NULL"
        }
    }
}

/// An array parameter, read by PostgreSQL as `$n::type[]` (e.g. `unnest(\(dates)::date[])`).
extension Array: PostgresEncodable where Element: PostgresArrayElement {
    public var postgresText: String {
        "{" + map(\.postgresArrayText).joined(separator: ",") + "}"
    }
}
