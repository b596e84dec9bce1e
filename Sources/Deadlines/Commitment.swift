import Dates

/// A published service commitment beside the statute ("personal information within 40
/// calendar days"): a length from receipt, and the authority's words for it.
public struct Commitment: Sendable, Equatable {
    /// How the length is counted.
    public enum Unit: String, Sendable, CaseIterable {
        /// The Nth working day after receipt, on the request's calendar.
        case workingDays = "working-days"
        /// Receipt plus N calendar days (the old DPA 1998 "40 days"), not moved off a weekend.
        case calendarDays = "calendar-days"
        /// The same day N months on (clamped to the month's end), moved to the next working day.
        case months
    }

    public var unit: Unit
    public var amount: Int
    public var text: String

    public init(unit: Unit, amount: Int, text: String) {
        self.unit = unit
        self.amount = amount
        self.text = text
    }

    /// The date the commitment promises for a request received on `received`.
    public func due(received: CivilDate, calendar: WorkingDayCalendar) throws(CalendarError) -> CivilDate {
        switch unit {
        case .workingDays: try calendar.addWorkingDays(received, amount)
        case .calendarDays: received.adding(days: amount)
        case .months: try calendar.addingMonthsToWorkingDay(received, months: amount)
        }
    }

    /// Over every receipt day of `year`, on how many days the commitment falls later than the
    /// statutory due date of `kind` (the ordinary case: no stops, no extension).
    public func daysLaterThanStatute(kind: RequestKind, calendar: WorkingDayCalendar, year: Int) throws(CalendarError) -> (later: Int, days: Int) {
        var date = CivilDate(year: year, month: 1, clampingDay: 1)
        var later = 0, days = 0
        while date.year == year {
            let statutory = try StatutoryClock(received: date).runningDeadline(rule: kind.rule, calendar: calendar).due
            if try due(received: date, calendar: calendar) > statutory { later += 1 }
            days += 1
            date = date.adding(days: 1)
        }
        return (later, days)
    }
}
