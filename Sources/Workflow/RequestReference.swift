import Deadlines

/// A request's reference, `FOI-2026-000124`: its kind's prefix, the year of receipt and a
/// number of six or more digits.
public struct RequestReference: Sendable, Equatable, CustomStringConvertible {
    public var kind: RequestKind
    public var year: Int
    public var number: Int

    /// Parses a reference; `nil` when `text` is not one.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, let kind = RequestKind(referencePrefix: parts[0]),
            parts[1].count == 4, parts[1].allSatisfy({ $0.isASCII && $0.isNumber }), let year = Int(parts[1]),
            parts[2].count >= 6, parts[2].count <= 18, parts[2].allSatisfy({ $0.isASCII && $0.isNumber }),
            let number = Int(parts[2])
        else { return nil }
        self.kind = kind
        self.year = year
        self.number = number
    }

    public var description: String {
        let digits = String(number)
        return "\(kind.referencePrefix)-\(year)-\(String(repeating: "0", count: max(0, 6 - digits.count)))\(digits)"
    }
}
