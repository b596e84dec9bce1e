/// FOIA exemption codes as officers write them (`s31`, `S.40(2)`, `section 31(1)(a)`), read
/// leniently into a canonical form (`s31`, `s40(2)`, `s31(1)(a)`).
///
/// Interim: enough to decide whether a FOI extension rests on a qualified exemption
/// (FOIA s.10(3)); the grounds table with every regime's codes replaces the lists here.
public struct FOIAExemption: Sendable, Equatable, CustomStringConvertible {
    /// The section, with its letter where it has one: `31`, `22A`.
    public var section: String
    /// The subsections as written: `(1)(a)`, or empty.
    public var subsections: String

    public var description: String { "s\(section)\(subsections)" }

    /// Sections whose exemption is qualified (public-interest test) and so may carry a
    /// public-interest extension (FOIA s.2(3) lists the absolute ones).
    public static let qualifiedSections: Set<String> = [
        "22", "22A", "24", "26", "27", "28", "29", "30", "31", "33", "35", "36", "37", "38", "39", "42", "43",
    ]
    /// Absolute exemptions (s.2(3)) and the procedural refusals (s.12, s.14).
    public static let otherSections: Set<String> = ["12", "14", "21", "23", "32", "34", "40", "41", "44"]

    /// Whether a public-interest extension may rest on this exemption.
    public var isQualified: Bool { Self.qualifiedSections.contains(section) }

    /// Parses one code; `nil` when it is not a FOIA section foiflow knows.
    public init?(_ text: String) {
        var rest = Substring(text.lowercased().filter { !$0.isWhitespace })
        for prefix in ["section", "sec.", "s."] where rest.hasPrefix(prefix) {
            rest = rest.dropFirst(prefix.count)
            break
        }
        if rest.hasPrefix("s") { rest = rest.dropFirst() }
        let digits = rest.prefix(while: { $0.isASCII && $0.isNumber })
        guard !digits.isEmpty else { return nil }
        rest = rest.dropFirst(digits.count)
        var section = String(digits)
        if rest.first == "a", section == "22" {
            section += "A"
            rest = rest.dropFirst()
        }
        guard Self.qualifiedSections.contains(section) || Self.otherSections.contains(section) else { return nil }
        // What is left must be subsections: (1), (a), (1)(a)...
        var subsections = ""
        while rest.first == "(" {
            guard let close = rest.firstIndex(of: ")") else { return nil }
            let inner = rest[rest.index(after: rest.startIndex)..<close]
            guard !inner.isEmpty, inner.allSatisfy({ $0.isASCII && ($0.isNumber || $0.isLetter) }) else { return nil }
            subsections += "(\(inner))"
            rest = rest[rest.index(after: close)...]
        }
        guard rest.isEmpty else { return nil }
        self.section = section
        self.subsections = subsections
    }

    /// Parses a list (`s31, s40(2)` or `s31;s40(2)`); throws naming the first code not understood.
    public static func parseList(_ text: String) throws(WorkflowError) -> [FOIAExemption] {
        var codes: [FOIAExemption] = []
        for item in text.split(whereSeparator: { $0 == "," || $0 == ";" }) {
            let trimmed = String(item.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
            guard !trimmed.isEmpty else { continue }
            guard let code = FOIAExemption(trimmed) else {
                throw .badArgument("exemptions: '\(trimmed)' is not a FOIA exemption (write them as s22 to s44, e.g. s31 or s40(2))")
            }
            if !codes.contains(code) { codes.append(code) }
        }
        return codes
    }
}
