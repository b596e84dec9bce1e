/// The one definition of a character that must never reach storage, a terminal, a log or a
/// mail header: control characters (C0 with newline and tab, DEL, the C1 range with U+0085),
/// the Unicode line and paragraph separators (U+2028, U+2029), which forge lines in logs and
/// terminals, and the bidirectional controls (U+061C, U+200E, U+200F, U+202A to U+202E,
/// U+2066 to U+2069), which make text read in another order than it is stored
/// (`Smith\u{202E}gnp.exe`). `HostileText` refuses and escapes by it; `MailMessage` folds it away.
public enum ControlScalar {
    public static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 0x20 || (0x7F...0x9F).contains(value) { return true }
        guard value >= 0x061C else { return false }
        return value == 0x2028 || value == 0x2029 || value == 0x061C || value == 0x200E || value == 0x200F
            || (0x202A...0x202E).contains(value) || (0x2066...0x2069).contains(value)
    }
}
