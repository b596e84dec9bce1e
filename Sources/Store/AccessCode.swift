import Digest

/// A request's access code: with its reference, it opens the request's status page on the
/// public web. 80 random bits as 16 characters of Crockford's base 32 (no I, L, O or U), shown
/// in groups of four (`7K3M-QX9D-2HBV-T8RC`); only its SHA-256 is stored.
public enum AccessCode {
    static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")

    /// A new code.
    public static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        let characters = (0..<16).map { _ in alphabet[Int.random(in: 0..<32, using: &generator)] }
        return stride(from: 0, to: 16, by: 4).map { String(characters[$0..<$0 + 4]) }.joined(separator: "-")
    }

    /// The code as typed, in its stored form: upper case, without spaces or dashes, with the
    /// letters people mistake for digits read as those digits; `nil` when it cannot be a code.
    public static func normalised(_ typed: String) -> String? {
        var out = ""
        for character in typed.uppercased() where character != "-" && character != " " {
            switch character {
            case "O": out.append("0")
            case "I", "L": out.append("1")
            default:
                guard alphabet.contains(character) else { return nil }
                out.append(character)
            }
        }
        return out.count == 16 ? out : nil
    }

    /// What the database keeps: the SHA-256 of the normalised code.
    public static func hash(_ code: String) -> [UInt8]? {
        normalised(code).map { SHA256.hash(Array($0.utf8)) }
    }
}
