/// Text that must never reach storage, a terminal or a log: control characters other than
/// newline and tab (C0, DEL, the C1 range with U+0085) and the Unicode line and paragraph
/// separators (U+2028, U+2029), which forge lines in logs and terminals.
public enum HostileText {
    /// The first forbidden scalar of `text`, if any.
    public static func firstForbidden(in text: String) -> Unicode.Scalar? {
        text.unicodeScalars.first { scalar in
            let value = scalar.value
            if value == 0x0A || value == 0x09 { return false }
            return value < 0x20 || (0x7F...0x9F).contains(value) || value == 0x2028 || value == 0x2029
        }
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
