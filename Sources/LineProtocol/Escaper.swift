/// The one loop every text escaper runs: the protocol's quoted values (`Reply.encodeValue`),
/// JSON string literals (`JSONText.string`) and COPY's text format (`BacklogImport.copyText`)
/// differ only in which characters they replace and with what.
public enum Escaper {
    /// `text` with every scalar for which `replacement` answers replaced by that answer; the
    /// rest kept as they are.
    @inlinable
    public static func escape(_ text: String, reserving extra: Int = 2, _ replacement: (Unicode.Scalar) -> String?) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count + extra)
        for scalar in text.unicodeScalars {
            if let replaced = replacement(scalar) {
                out += replaced
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
