import Dates

/// Input the calendar cannot answer for: the text says what and why.
public enum CalendarError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A date outside the supported years (1990 to 2100).
    case dateOutOfRange(CivilDate)
    /// A working-day offset beyond ±10,000.
    case offsetOutOfRange(Int)
    /// A rule whose dates are not derived but set by others (an ICO case).
    case notDerived(String)

    public var description: String {
        switch self {
        case .dateOutOfRange(let date):
            "date \(date) is outside the supported range \(WorkingDayCalendar.firstDate) to \(WorkingDayCalendar.lastDate)"
        case .offsetOutOfRange(let n):
            "\(n) working days is beyond the supported ±\(WorkingDayCalendar.maxOffset)"
        case .notDerived(let text): text
        }
    }
}
