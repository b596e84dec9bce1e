/// One e-mail address: exactly one RFC 5322 `addr-spec` in its common, unquoted form
/// (`dot-atom "@" dot-atom`), ASCII, with a domain of at least two labels.
///
/// Every address foiflow stores or mails to goes through here (a request's `email=`, a user's
/// `--email`, an imported row, the sender of `notify`), so no text that holds a second address,
/// a display name, a comma or a line break can pass for one: the delivery command is given
/// the address as one argument, never a header to read recipients from.
public struct EmailAddress: Sendable, Hashable, CustomStringConvertible {
    /// The address as given (case kept: the local part may be case-sensitive).
    public let text: String

    /// The longest address SMTP carries (RFC 5321 4.5.3.1.3: a 256-octet path less the brackets).
    public static let maxLength = 254
    /// The longest local part (RFC 5321 4.5.3.1.1).
    public static let maxLocalLength = 64

    /// `nil` when `text` is not exactly one address. `localDomain`: a domain of one label
    /// (`foiflow@localhost`) is accepted too, as a sender on the machine itself may have.
    public init?(_ text: String, localDomain: Bool = false) {
        guard Self.problem(text, localDomain: localDomain) == nil else { return nil }
        self.text = text
    }

    public var description: String { text }

    /// Why `text` is not exactly one address (without repeating it: it may be personal data),
    /// or `nil` when it is one.
    public static func problem(_ text: String, localDomain: Bool = false) -> String? {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else { return "is empty" }
        guard bytes.count <= maxLength else { return "is longer than \(maxLength) characters" }
        guard bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            return "holds a space, a line break, a control or a non-ASCII character; give one plain address such as name@example.org"
        }
        let parts = bytes.split(separator: UInt8(ascii: "@"), omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            return parts.count < 2 ? "has no @" : "has more than one @ (one address only)"
        }
        let local = parts[0], domain = parts[1]
        guard local.count <= maxLocalLength else { return "has a part before the @ longer than \(maxLocalLength) characters" }
        // A leading hyphen is lawful but would read as an option to a delivery command.
        guard local.first != UInt8(ascii: "-"), isDotAtom(local, allowed: isAtext) else {
            return "is not one plain address (a name, a comma, quotes or angle brackets are not accepted)"
        }
        let labels = domain.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard labels.count >= (localDomain ? 1 : 2), labels.allSatisfy(isDomainLabel) else { return "does not end in a domain such as example.org" }
        return nil
    }

    /// `atext` of RFC 5322 3.2.3: letters, digits and ``!#$%&'*+-/=?^_`{|}~``.
    static func isAtext(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        default: Array("!#$%&'*+-/=?^_`{|}~".utf8).contains(byte)
        }
    }

    /// Atoms of `allowed` bytes joined by single dots, none empty.
    static func isDotAtom(_ bytes: ArraySlice<UInt8>, allowed: (UInt8) -> Bool) -> Bool {
        let atoms = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        return !atoms.isEmpty && atoms.allSatisfy { !$0.isEmpty && $0.allSatisfy(allowed) }
    }

    /// A DNS label: letters, digits and inner hyphens, 1 to 63 of them.
    static func isDomainLabel(_ label: ArraySlice<UInt8>) -> Bool {
        guard !label.isEmpty, label.count <= 63, label.first != UInt8(ascii: "-"), label.last != UInt8(ascii: "-") else { return false }
        return label.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"):
                true
            default: false
            }
        }
    }
}
