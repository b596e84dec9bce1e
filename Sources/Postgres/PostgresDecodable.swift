import Dates
import Foundation

/// A Swift type that a result column can be decoded into.
///
/// Each type names the column types it accepts, so a mismatch (a `date`
/// column read as `Int`, say) fails with a clear error instead of guessing.
public protocol PostgresDecodable: Sendable {
    /// Decodes the text-format value of a column of type `type`.
    /// Returns `nil` when the type is not accepted or the text is malformed.
    static func decode(_ text: String, type: PostgresType) -> Self?
}

extension String: PostgresDecodable {
    public static func decode(_ text: String, type: PostgresType) -> String? {
        switch type {
        case .text, .varchar, .bpchar, .name, .unknown, .json, .jsonb, .uuid: text
        default: nil
        }
    }
}

extension Int: PostgresDecodable {
    public static func decode(_ text: String, type: PostgresType) -> Int? {
        switch type {
        case .int2, .int4, .int8, .oidType: Int(text)
        default: nil
        }
    }
}

extension Int32: PostgresDecodable {
    public static func decode(_ text: String, type: PostgresType) -> Int32? {
        switch type {
        case .int2, .int4: Int32(text)
        default: nil
        }
    }
}

extension Double: PostgresDecodable {
    public static func decode(_ text: String, type: PostgresType) -> Double? {
        switch type {
        case .float4, .float8, .numeric, .int2, .int4, .int8: Double(text)
        default: nil
        }
    }
}

extension Bool: PostgresDecodable {
    public static func decode(_ text: String, type: PostgresType) -> Bool? {
        guard type == .bool else { return nil }
        switch text {
        case "t": return true
        case "f": return false
        default: return nil
        }
    }
}

extension CivilDate: PostgresDecodable {
    public static func decode(_ text: String, type: PostgresType) -> CivilDate? {
        guard type == .date else { return nil }
        return CivilDate(iso: text)
    }
}

extension Date: PostgresDecodable {
    public static func decode(_ text: String, type: PostgresType) -> Date? {
        guard type == .timestamptz || type == .timestamp else { return nil }
        return PostgresTimestamp.parse(text)
    }
}

extension PostgresBytes: PostgresDecodable {
    public static func decode(_ text: String, type: PostgresType) -> PostgresBytes? {
        guard type == .bytea else { return nil }
        return PostgresBytes(hexOutput: text)
    }
}

/// An enum stored as text, one raw value per case: decoded from a text column, and a value no
/// case has is a decoding failure, in one place for every such column.
public protocol PostgresTextEnum: PostgresDecodable, RawRepresentable where RawValue == String {}

extension PostgresTextEnum {
    public static func decode(_ text: String, type: PostgresType) -> Self? {
        String.decode(text, type: type).flatMap(Self.init(rawValue:))
    }
}
