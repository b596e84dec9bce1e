import Digest

/// A request's access code: with its reference, it opens the request's status page on the
/// public web. 80 random bits as 16 characters of Crockford's base 32 (no I, L, O or U), shown
/// in groups of four (`7K3M-QX9D-2HBV-T8RC`); only its SHA-256 is stored.
public enum AccessCode {
    static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")

    /// A new code: 80 bits from the system's generator, five a character (32 is a power of two,
    /// so every character is equally likely), drawn in two calls rather than sixteen (each call is
    /// a system call, on every CREATE).
    public static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        var bits = (generator.next() as UInt64, generator.next() as UInt64)
        var characters: [Character] = []
        characters.reserveCapacity(19)
        for index in 0..<16 {
            if index > 0, index % 4 == 0 { characters.append("-") }
            let fromFirst = index < 12
            let value = Int((fromFirst ? bits.0 : bits.1) & 31)
            if fromFirst { bits.0 >>= 5 } else { bits.1 >>= 5 }
            characters.append(alphabet[value])
        }
        return String(characters)
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
