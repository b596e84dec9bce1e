import Dates
import Deadlines

/// The activities whose cost counts towards the appropriate limit (the Freedom of Information
/// and Data Protection (Appropriate Limit and Fees) Regulations 2004, reg 4(3)): not redaction,
/// not considering exemptions.
public enum CostActivity: String, Sendable, CaseIterable, Codable {
    /// Determining whether the information is held.
    case determine
    case locate
    case retrieve
    case extract

    public static var names: String { allCases.map(\.rawValue).joined(separator: "|") }
}

/// FOIA s.12 and the 2004 Regulations: staff time at £25 an hour (reg 4(4)) against a limit of
/// £450 (£600 for the authorities of Schedule 1 Part I, reg 3), over every request of one
/// person, or of people acting in concert, for similar information received within 60
/// consecutive working days (reg 5).
public enum CostLimit {
    public static let poundsPerHour = 25
    public static let defaultLimit = 450
    public static let windowWorkingDays = 60
    /// The most one estimate may add, in hours (a typo guard: ten times the usual limit).
    public static let maxHoursPerEstimate = 1000
    /// The most requests one aggregation names besides its own.
    public static let maxAggregated = 50

    /// Hours given as `hours=` (whole or in quarters: `0.25`, `7.5`), as quarter hours.
    public static func quarters(_ text: String) -> Int? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let whole = Int(parts[0]), whole >= 0, !parts[0].hasPrefix("+") else { return nil }
        var quarters = whole * 4
        if parts.count == 2 {
            switch parts[1] {
            case "0", "00": break
            case "25": quarters += 1
            case "5", "50": quarters += 2
            case "75": quarters += 3
            default: return nil
            }
        }
        guard quarters > 0, quarters <= maxHoursPerEstimate * 4 else { return nil }
        return quarters
    }

    /// Quarter hours as hours, as the protocol prints them (`7.5`, `18`, `0.25`).
    public static func hours(quarters: Int) -> String {
        let whole = quarters / 4
        switch quarters % 4 {
        case 1: return "\(whole).25"
        case 2: return "\(whole).5"
        case 3: return "\(whole).75"
        default: return "\(whole)"
        }
    }

    /// Quarter hours as pounds (£25 an hour: £6.25 a quarter), as the protocol prints them.
    public static func pounds(quarters: Int) -> String {
        let pence = quarters * poundsPerHour * 25
        return pence % 100 == 0 ? "\(pence / 100)" : "\(pence / 100).\(String(format: "%02d", pence % 100))"
    }
}

/// One window of 60 consecutive working days (reg 5) opened by the earliest request of a set:
/// it is day 1 (or the first working day after it), and the window ends with day 60.
public struct AggregationWindow: Sendable, Equatable {
    public var from: CivilDate
    public var to: CivilDate

    public init(earliest: CivilDate, calendar: WorkingDayCalendar) throws(CalendarError) {
        from = try calendar.nextWorkingDay(onOrAfter: earliest)
        to = try calendar.addWorkingDays(from, CostLimit.windowWorkingDays - 1)
    }

    public func contains(_ date: CivilDate) -> Bool { date <= to }
}
