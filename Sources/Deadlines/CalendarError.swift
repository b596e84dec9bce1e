import Dates

/// Input the calendar cannot answer for: the text says what and why.
public enum CalendarError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A date outside the supported years (1990 to 2100).
    case dateOutOfRange(CivilDate)
    /// A working-day offset beyond ±10,000.
    case offsetOutOfRange(Int)
    /// A rule whose dates are not derived but set by others (an ICO case).
    case notDerived(String)

    /// The error as someone who typed `start` should read it: a date out of range that they did
    /// not type is where counting from theirs ran past the calendar's end.
    public func described(countingFrom start: CivilDate) -> String {
        if case .dateOutOfRange(let date) = self, date != start, start >= WorkingDayCalendar.firstDate,
            start <= WorkingDayCalendar.lastDate
        {
            return "a deadline counted from \(start) falls after \(WorkingDayCalendar.lastDate), the last day the calendar covers"
        }
        return description
    }

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
