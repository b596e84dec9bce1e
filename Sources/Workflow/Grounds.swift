import Deadlines

/// The test a refusal ground applies.
public enum GroundTest: String, Sendable, CaseIterable, Codable {
    /// No public-interest balance (FOIA s.2(3); DPA restrictions and exemptions).
    case absolute
    /// Subject to the public-interest test (FOIA s.2(1)(b), (2)(b); every EIR exception, reg 12(1)).
    case qualified
    /// A refusal for how the request was made: cost (s.12), vexatious or repeated (s.14), or
    /// manifestly unfounded or excessive.
    case procedural
}

/// One exemption, exception or restriction a response may rest on: a row of the
/// `refusal_grounds` table (seeded by migration from the law; see CASEWORK-RULES 2.2).
public struct RefusalGround: Sendable, Equatable {
    /// As officers write it, canonical: `s31`, `s40(2)`, `r12(5)(b)`, `dpa-s45(4)(a)`.
    public var code: String
    /// The provision in full: `FOIA s.31`.
    public var citation: String
    public var title: String
    /// The kinds of request it may answer.
    public var kinds: Set<RequestKind>
    public var test: GroundTest
    /// Whether a FOI public-interest extension (s.10(3)) may rest on it.
    public var pit: Bool
    /// Whether the provision allows neither confirming nor denying that the information is held.
    public var ncnd: Bool

    public init(code: String, citation: String, title: String, kinds: Set<RequestKind>, test: GroundTest, pit: Bool, ncnd: Bool) {
        self.code = code
        self.citation = citation
        self.title = title
        self.kinds = kinds
        self.test = test
        self.pit = pit
        self.ncnd = ncnd
    }
}

/// A ground as a response cites it: the table's ground, and the citation as precise as the
/// officer gave it (`s31(1)(a)` cites ground `s31`).
public struct CitedGround: Sendable, Equatable, CustomStringConvertible {
    public var ground: RefusalGround
    /// Canonical, at least as precise as `ground.code`.
    public var cited: String

    public var description: String { cited }
}

/// The refusal grounds, and how codes written by people are read against them. Pure: loaded
/// once from the database (`refusal_grounds`), then passed to the workflow.
public struct GroundsTable: Sendable {
    /// Every ground, in the table's order.
    public let grounds: [RefusalGround]
    private let byCode: [String: RefusalGround]

    public init(_ grounds: [RefusalGround]) {
        self.grounds = grounds
        byCode = Dictionary(grounds.map { ($0.code, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// No grounds: every code is unknown (for tests of other rules).
    public static let empty = GroundsTable([])

    /// The ground with this canonical code.
    public subscript(code: String) -> RefusalGround? { byCode[code] }

    /// The grounds a request of `kind` may rest on, in table order.
    public func grounds(for kind: RequestKind) -> [RefusalGround] {
        grounds.filter { $0.kinds.contains(kind) }
    }

    /// Reads one code as written (`S.31`, `section 40(2)`, `reg 12(5)(b)`) for a request of
    /// `kind`; throws naming the code and suggesting the nearest one that applies.
    public func resolve(_ text: String, kind: RequestKind) throws(WorkflowError) -> CitedGround {
        let written = text.trimmingWhitespace
        guard let canonical = GroundCode.canonical(written) else {
            throw .badArgument("exemptions: '\(written)' is not a ground code\(suggestion(for: GroundCode.compact(written), kind: kind))")
        }
        var match = byCode[canonical]
        if match == nil {
            // A finer citation of a ground in the table: s31(1)(a) cites s31.
            match = grounds.filter { canonical.hasPrefix($0.code + "(") }.max { $0.code.count < $1.code.count }
        }
        guard let ground = match else {
            let finer = grounds.filter { $0.code.hasPrefix(canonical + "(") && $0.kinds.contains(kind) }
            if !finer.isEmpty {
                let options = finer.map { "\($0.code) (\($0.title))" }.joined(separator: " or ")
                throw .badArgument("exemptions: '\(written)' is not precise enough: \(options)")
            }
            throw .badArgument("exemptions: '\(written)' is not a ground foiflow knows\(suggestion(for: canonical, kind: kind))")
        }
        guard ground.kinds.contains(kind) else {
            let kinds = RequestKind.allCases.filter(ground.kinds.contains).map(\.rawValue).joined(separator: ", ")
            throw .badArgument(
                "exemptions: '\(written)' (\(ground.citation), \(ground.title)) applies to \(kinds) requests, not \(kind.rawValue)\(suggestion(for: canonical, kind: kind))"
            )
        }
        return CitedGround(ground: ground, cited: canonical)
    }

    /// Reads a list (`s31, s40(2)` or `s31; s40(2)`), each code once, in the order given.
    public func resolveList(_ text: String, kind: RequestKind) throws(WorkflowError) -> [CitedGround] {
        var cited: [CitedGround] = []
        for item in text.split(whereSeparator: { $0 == "," || $0 == ";" }) {
            let trimmed = String(item).trimmingWhitespace
            guard !trimmed.isEmpty else { continue }
            let ground = try resolve(trimmed, kind: kind)
            if !cited.contains(where: { $0.ground.code == ground.ground.code }) { cited.append(ground) }
        }
        return cited
    }

    /// `; did you mean s31 (Law enforcement)?`, the nearest code that applies to `kind`.
    func suggestion(for code: String, kind: RequestKind) -> String {
        let candidates = grounds(for: kind)
        // Fewest edits first; between equals, the nearest section number (s45: s44, not s35).
        func rank(_ ground: RefusalGround) -> (Int, Int) {
            (GroundCode.distance(code, ground.code), abs(GroundCode.number(code) - GroundCode.number(ground.code)))
        }
        guard let nearest = candidates.min(by: { rank($0) < rank($1) }) else {
            return "; \(kind.rawValue) requests have no refusal grounds"
        }
        return "; did you mean \(nearest.code) (\(nearest.title))?"
    }
}

/// How ground codes are written and read.
public enum GroundCode {
    /// The canonical code of `text`, leniently read, or `nil` when it is not shaped like one.
    ///
    /// `s31`, `S.31`, `section 31`, `FOIA s31` are `s31`; `s.40 (2)` is `s40(2)`; `s22a` is
    /// `s22A`; `reg 12(5)(b)`, `EIR r.12(5)(b)` are `r12(5)(b)`; DPA 2018 provisions are prefixed
    /// `dpa-`: `dpa-s45(4)(b)`, `dpa-a12(5)` (UK GDPR Art 12(5)), `dpa-sch2-p2`. Whether the
    /// code names a ground in the table is for `GroundsTable.resolve`.
    public static func canonical(_ text: String) -> String? {
        var rest = Substring(compact(text))
        enum Regime { case foi, eir, dpa, gdpr }
        var regime: Regime?
        let regimes: [(String, Regime)] = [
            ("freedomofinformationact", .foi), ("foiact", .foi), ("foia", .foi), ("foi", .foi),
            ("environmentalinformationregulations", .eir), ("eir", .eir),
            ("dataprotectionact", .dpa), ("dpa", .dpa), ("ukgdpr", .gdpr), ("gdpr", .gdpr),
        ]
        for (word, named) in regimes where rest.hasPrefix(word) {
            regime = named
            rest = rest.dropFirst(word.count)
            if rest.hasPrefix("act") { rest = rest.dropFirst(3) }
            for year in ["2000", "2004", "2018"] where rest.hasPrefix(year) {
                rest = rest.dropFirst(year.count)
                break
            }
            break
        }
        enum Unit { case section, regulation, article, schedule }
        var unit: Unit?
        let units: [(String, Unit)] = [
            ("schedule", .schedule), ("sch", .schedule), ("section", .section), ("sec", .section), ("s", .section),
            ("regulation", .regulation), ("reg", .regulation), ("r", .regulation), ("article", .article), ("art", .article),
            ("a", .article),
        ]
        for (word, named) in units where rest.hasPrefix(word) {
            unit = named
            rest = rest.dropFirst(word.count)
            break
        }
        if unit == nil {
            switch regime {
            case .eir: unit = .regulation
            case .gdpr: unit = .article
            case .foi, .dpa, nil: unit = .section
            }
        }
        let number = rest.prefix(while: { $0.isASCII && $0.isNumber })
        guard !number.isEmpty, number.first != "0" else { return nil }
        rest = rest.dropFirst(number.count)
        switch unit {
        case .schedule:
            guard regime == nil || regime == .dpa || regime == .gdpr else { return nil }
            guard !rest.isEmpty else { return "dpa-sch\(number)" }
            for word in ["paragraph", "para", "p"] where rest.hasPrefix(word) {
                rest = rest.dropFirst(word.count)
                break
            }
            let paragraph = rest.prefix(while: { $0.isASCII && $0.isNumber })
            guard !paragraph.isEmpty, paragraph.count == rest.count else { return nil }
            return "dpa-sch\(number)-p\(paragraph)"
        case .section, .regulation, .article, nil:
            var letter = ""
            // Section letters: s.22A is the one exemption that has one.
            if unit == .section, rest.first == "a" {
                letter = "A"
                rest = rest.dropFirst()
            }
            guard let subsections = parenthesised(rest) else { return nil }
            let body = "\(number)\(letter)\(subsections)"
            switch unit {
            case .regulation:
                guard regime == nil || regime == .eir else { return nil }
                return "r\(body)"
            case .article:
                guard regime == nil || regime == .gdpr || regime == .dpa else { return nil }
                return "dpa-a\(body)"
            default:
                // FOIA stops at s.88 but its exemptions at s.44; DPA 2018 restrictions are s.45 onwards.
                if regime == .dpa || regime == .gdpr || (regime == nil && (Int(number) ?? 0) >= 45 && (Int(number) ?? 0) <= 215) {
                    return "dpa-s\(body)"
                }
                return "s\(body)"
            }
        }
    }

    /// `(1)(a)` as written, lower-cased; `nil` when `text` is anything else.
    static func parenthesised(_ text: Substring) -> String? {
        var rest = text
        var out = ""
        while let first = rest.first {
            guard first == "(", let close = rest.firstIndex(of: ")") else { return nil }
            let inner = rest[rest.index(after: rest.startIndex)..<close]
            guard !inner.isEmpty, inner.count <= 4, inner.allSatisfy({ $0.isASCII && ($0.isNumber || $0.isLetter) }) else { return nil }
            out += "(\(inner))"
            rest = rest[rest.index(after: close)...]
        }
        return out
    }

    /// Lower case, without spaces, dots, dashes, underscores, colons and `§`.
    public static func compact(_ text: String) -> String {
        String(text.lowercased().filter { !$0.isWhitespace && !".-_:§,".contains($0) })
    }

    /// The first number in a code (`s40(2)`: 40), or 0.
    static func number(_ code: String) -> Int {
        Int(String(code.drop(while: { !$0.isNumber }).prefix(while: \.isNumber))) ?? 0
    }

    /// Edit distance (insertions, deletions, substitutions), for suggestions.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}

extension String {
    /// Without leading and trailing white space.
    var trimmingWhitespace: String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
