import Mail

/// Text that must never reach storage, a terminal or a log: any `ControlScalar` other than
/// newline and tab.
public enum HostileText {
    /// A control character, line separator or bidirectional control (`ControlScalar`: one definition).
    public static func isControl(_ scalar: Unicode.Scalar) -> Bool { ControlScalar.isControl(scalar) }

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
