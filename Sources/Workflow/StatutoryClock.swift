import Dates
import Deadlines

/// The inputs a request's deadline is derived from, besides its kind and calendar.
///
/// Kept on the request (as JSON) so that every due date can be derived again,
/// for instance when the holiday calendar changes.
public struct StatutoryClock: Sendable, Equatable, Codable {
    /// A fees notice and its payment: the working days between are disregarded (FOIA s.10(2)).
    public struct FeePeriod: Sendable, Equatable, Codable {
        public var notice: CivilDate
        public var paid: CivilDate
    }

    /// The day the clock counts from: receipt, or a later restart.
    public var start: CivilDate
    /// Set while the clock is stopped (awaiting clarification, fee or identity).
    public var pausedSince: CivilDate?
    public var feePeriods: [FeePeriod]
    /// SAR only: calendar days the clock stood still for clarification (DUAA 2025).
    public var pausedDays: Int
    /// Extension taken, in working days (FOI, EIR, review).
    public var extensionDays: Int
    /// Extension taken, in months (SAR).
    public var extensionMonths: Int

    public init(received: CivilDate) {
        start = received
        pausedSince = nil
        feePeriods = []
        pausedDays = 0
        extensionDays = 0
        extensionMonths = 0
    }

    /// The deadline now: `nil` while the clock is stopped.
    public func deadline(kind: RequestKind, calendar: WorkingDayCalendar) throws(CalendarError) -> Deadline? {
        if pausedSince != nil { return nil }
        switch kind.rule {
        case .workingDays(let days, let extended):
            var disregarded = 0
            for period in feePeriods {
                disregarded += try calendar.workingDaysBetween(period.notice, period.paid)
            }
            return Deadline(
                due: try calendar.addWorkingDays(start, days + extensionDays + disregarded),
                maxDue: try calendar.addWorkingDays(start, extended + disregarded))
        case .calendarMonths(let months, let extended):
            // ICO counting from the start date; paused days added before rolling to a working day.
            return Deadline(
                due: try calendar.nextWorkingDay(onOrAfter: start.adding(months: months + extensionMonths).adding(days: pausedDays)),
                maxDue: try calendar.nextWorkingDay(onOrAfter: start.adding(months: extended).adding(days: pausedDays)))
        }
    }
}
