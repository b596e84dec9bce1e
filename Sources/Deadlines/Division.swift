/// A part of the UK with its own bank holidays (the GOV.UK division names).
public enum Division: String, Sendable, CaseIterable, Codable, Comparable {
    case englandAndWales = "england-and-wales"
    case scotland
    case northernIreland = "northern-ireland"

    /// The order GOV.UK lists them in; also the order titles are preferred in.
    public static func < (lhs: Division, rhs: Division) -> Bool {
        lhs.rank < rhs.rank
    }

    private var rank: Int {
        switch self {
        case .englandAndWales: 0
        case .scotland: 1
        case .northernIreland: 2
        }
    }

    /// The names accepted, for error messages.
    public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

/// A working-day calendar: which divisions' bank holidays are not working days.
public enum CalendarID: String, Sendable, CaseIterable, Codable {
    /// A bank holiday anywhere in the UK is not a working day (FOIA s.10(6)).
    case uk
    case englandAndWales = "england-and-wales"
    case scotland
    case northernIreland = "northern-ireland"

    /// The divisions whose holidays this calendar keeps.
    public var divisions: [Division] {
        switch self {
        case .uk: Division.allCases
        case .englandAndWales: [.englandAndWales]
        case .scotland: [.scotland]
        case .northernIreland: [.northernIreland]
        }
    }

    /// The calendar of one division.
    public init(division: Division) {
        switch division {
        case .englandAndWales: self = .englandAndWales
        case .scotland: self = .scotland
        case .northernIreland: self = .northernIreland
        }
    }

    /// The names accepted, for error messages.
    public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
