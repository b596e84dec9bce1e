import Dates

/// A due date and the latest date the law allows once fully extended.
public struct Deadline: Sendable, Equatable, CustomStringConvertible {
    public var due: CivilDate
    public var maxDue: CivilDate

    public init(due: CivilDate, maxDue: CivilDate) {
        self.due = due
        self.maxDue = maxDue
    }

    public var description: String { "due \(due), at most \(maxDue)" }
}

/// Computes statutory deadlines over a set of calendars. Pure.
public struct DeadlineCalculator: Sendable {
    public let calendars: CalendarSet
    public let authority: Authority

    public init(calendars: CalendarSet = .rules, authority: Authority = Authority()) {
        self.calendars = calendars
        self.authority = authority
    }

    /// The deadline of a request of `kind` whose clock starts on `start`, with no
    /// stops or extensions. `calendar` overrides the kind's default calendar.
    public func deadline(kind: RequestKind, start: CivilDate, calendar: CalendarID? = nil) throws(CalendarError) -> Deadline {
        let calendar = calendars[calendar ?? authority.defaultCalendar(for: kind)]
        switch kind.rule {
        case .workingDays(let days, let extended):
            return Deadline(
                due: try calendar.addWorkingDays(start, days),
                maxDue: try calendar.addWorkingDays(start, extended))
        case .calendarMonths(let months, let extended):
            return Deadline(
                due: try calendar.addingMonthsToWorkingDay(start, months: months),
                maxDue: try calendar.addingMonthsToWorkingDay(start, months: extended))
        }
    }
}
