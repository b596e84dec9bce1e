/// A telephone number as foiflow keeps one (a requester's, a user's, the unit's): digits with
/// the usual separators, so that an officer can dial it and a letter can print it.
public enum TelephoneNumber {
    /// The longest number kept, separators included.
    public static let maxLength = 40

    /// Why `text` is not a telephone number, or `nil`: 6 to 20 digits, with only spaces and
    /// `+ ( ) - .` between them (`+44 20 7946 0000`, `(01234) 567-890`).
    public static func problem(_ text: String) -> String? {
        guard text.count <= maxLength else { return "is longer than \(maxLength) characters" }
        var digits = 0
        for scalar in text.unicodeScalars {
            switch scalar {
            case "0"..."9": digits += 1
            case " ", "+", "(", ")", "-", ".": continue
            default: return "may hold only digits, spaces and + ( ) - ."
            }
        }
        // The number is not repeated: an error message is no place for personal data.
        guard (6...20).contains(digits) else { return "needs 6 to 20 digits (it has \(digits))" }
        return nil
    }
}
