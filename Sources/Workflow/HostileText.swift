/// Text that must never reach storage, a terminal or a log: control characters other than
/// newline and tab (C0, DEL, the C1 range with U+0085) and the Unicode line and paragraph
/// separators (U+2028, U+2029), which forge lines in logs and terminals.
public enum HostileText {
    /// A control character: C0 (newline and tab included), DEL, C1 (U+0085 among them), or the
    /// line and paragraph separators U+2028 and U+2029.
    public static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        return value < 0x20 || (0x7F...0x9F).contains(value) || value == 0x2028 || value == 0x2029
    }

    /// The first forbidden scalar of `text` (a control character other than newline and tab), if any.
    public static func firstForbidden(in text: String) -> Unicode.Scalar? {
        text.unicodeScalars.first { $0 != "\n" && $0 != "\t" && isControl($0) }
    }

    /// `U+001B`: how a forbidden scalar is named in an error.
    public static func name(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    /// Throws `badArgument` naming `field` when `text` holds a forbidden character.
    public static func check(_ text: String, field: String) throws(WorkflowError) {
        if let scalar = firstForbidden(in: text) {
            throw .badArgument("\(field) contains a control character (\(name(scalar))); only text, newlines and tabs are accepted")
        }
    }
}
