import Dates

/// The inputs a request's deadline is derived from, besides its kind and calendar, and the
/// one derivation of a due date from them.
///
/// Kept on the request (as JSON, with the keys of `CodingKeys`, which tests pin) so that
/// every due date can be derived again, for instance when the holiday calendar changes.
/// `DEADLINE` (a new request, nothing stopped) and every stored due date come from
/// `deadline(rule:calendar:)`.
public struct StatutoryClock: Sendable, Equatable, Codable {
    /// A fees notice and its payment: the working days between are disregarded (FOIA s.10(2)).
    public struct FeePeriod: Sendable, Equatable, Codable {
        public var notice: CivilDate
        public var paid: CivilDate

        public init(notice: CivilDate, paid: CivilDate) {
            self.notice = notice
            self.paid = paid
        }

        /// The stored keys; SQL and old rows depend on them, so they never follow a rename.
        enum CodingKeys: String, CodingKey {
            case notice, paid
        }
    }

    /// The day the clock counts from: receipt, or a later restart.
    public var start: CivilDate
    /// Set while the clock is stopped (awaiting clarification, fee or identity).
    public var pausedSince: CivilDate?
    public var feePeriods: [FeePeriod]
    /// Calendar days the clock stood still for clarification (SAR: DUAA 2025).
    public var pausedDays: Int
    /// Extension taken, in working days (rules counted in working days).
    public var extensionDays: Int
    /// Extension taken, in months (rules counted in calendar months).
    public var extensionMonths: Int

    /// The stored keys: SQL reads `pausedSince` (lapsing), and old rows must stay readable,
    /// so they are written out here and never follow a rename of a property.
    public enum CodingKeys: String, CodingKey {
        case start
        case pausedSince
        case feePeriods
        case pausedDays
        case extensionDays
        case extensionMonths
    }

    public init(received: CivilDate) {
        start = received
        pausedSince = nil
        feePeriods = []
        pausedDays = 0
        extensionDays = 0
        extensionMonths = 0
    }

    /// Whether the clock is stopped (waiting for the requester).
    public var isStopped: Bool { pausedSince != nil }

    /// The extension taken so far, in the unit of `rule`.
    public func extensionTaken(under rule: DeadlineRule) -> Int {
        switch rule {
        case .workingDays: extensionDays
        case .calendarMonths: extensionMonths
        }
    }

    /// The deadline now: `nil` while the clock is stopped.
    public func deadline(rule: DeadlineRule, calendar: WorkingDayCalendar) throws(CalendarError) -> Deadline? {
        if isStopped { return nil }
        return try runningDeadline(rule: rule, calendar: calendar)
    }

    /// The deadline as if the clock were running: the due date with the extensions taken,
    /// and the latest the law allows once fully extended.
    public func runningDeadline(rule: DeadlineRule, calendar: WorkingDayCalendar) throws(CalendarError) -> Deadline {
        let (base, extended) = rule.lengths
        switch rule {
        case .workingDays:
            var disregarded = 0
            for period in feePeriods {
                disregarded += try calendar.workingDaysBetween(period.notice, period.paid)
            }
            return Deadline(
                due: try calendar.addWorkingDays(start, base + extensionDays + disregarded),
                maxDue: try calendar.addWorkingDays(start, extended + disregarded))
        case .calendarMonths:
            // ICO counting from the start date; paused days added before rolling to a working day.
            return Deadline(
                due: try calendar.addingMonthsToWorkingDay(start, months: base + extensionMonths, plusDays: pausedDays),
                maxDue: try calendar.addingMonthsToWorkingDay(start, months: extended, plusDays: pausedDays))
        }
    }
}
