/// The kinds of request foiflow tracks, each with its statutory clock.
public enum RequestKind: String, Sendable, CaseIterable, Codable {
    /// Freedom of Information Act 2000 (s.10: 20 working days).
    case foi
    /// Environmental Information Regulations 2004 (reg 5(2): 20 working days; reg 7: 40).
    case eir
    /// Subject access: UK GDPR Art 12(3) / DPA 2018 s.54 (one month, extendable by two).
    case sar
    /// Service complaint: 10 working days (the published commitment).
    case complaint
    /// Internal review of an FOI/EIR response (s.45 Code: 20 working days, 40 at most).
    case review

    /// The reference-number prefix: `FOI-2026-000124`.
    public var referencePrefix: String {
        switch self {
        case .foi: "FOI"
        case .eir: "EIR"
        case .sar: "SAR"
        case .complaint: "CMP"
        case .review: "REV"
        }
    }

    /// Parses a kind name, case-insensitively.
    public init?(name: String) {
        self.init(rawValue: name.lowercased())
    }

    /// The names accepted, for error messages.
    public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// How this kind's deadline is counted.
    public var rule: DeadlineRule {
        switch self {
        case .foi: .workingDays(20, extendedTo: 40)
        case .eir: .workingDays(20, extendedTo: 40)
        case .review: .workingDays(20, extendedTo: 40)
        case .complaint: .workingDays(10, extendedTo: 10)
        case .sar: .calendarMonths(1, extendedTo: 3)
        }
    }
}

/// How a deadline is counted from its start date.
public enum DeadlineRule: Sendable, Equatable {
    /// The Nth working day after the start (FOIA s.10(1)); extensions up to a total.
    case workingDays(Int, extendedTo: Int)
    /// The corresponding date N calendar months on, clamped to the month's end and
    /// moved to the next working day (ICO counting for SARs); extensions up to a total.
    case calendarMonths(Int, extendedTo: Int)
}
