import Dates

/// The inputs a request's deadline is derived from, besides its kind and calendar, and the
/// one derivation of a due date from them (`derive`).
///
/// Kept on the request (as JSON, with the keys of `CodingKeys`, which tests pin) so that
/// every due date can be derived again, for instance when the holiday calendar changes.
/// `DEADLINE` (a new request, nothing stopped), every stored due date and `EXPLAIN` all
/// come from `derive`, so they cannot disagree.
public struct StatutoryClock: Sendable, Equatable, Codable {
    /// A fees notice and its payment: the working days from the notice to the payment, both
    /// included, are disregarded (FOIA s.10(2)).
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

    /// Why the clock stopped.
    public enum StopReason: String, Sendable, Equatable, Codable {
        case clarification, fee, identity

        /// As EXPLAIN says it: `clock stopped: awaiting fee`.
        public var waiting: String {
            switch self {
            case .clarification: "awaiting clarification"
            case .fee: "awaiting fee"
            case .identity: "awaiting ID"
            }
        }

        /// The note on the day the clock stopped.
        public var stoppedNote: String {
            switch self {
            case .clarification: "clarification asked"
            case .fee: "fee notice"
            case .identity: "identity asked"
            }
        }

        /// The note on the day the clock started again.
        public var resumedNote: String {
            switch self {
            case .clarification: "clarification received"
            case .fee: "fee received"
            case .identity: "identity verified"
            }
        }
    }

    /// A stop that has ended: from the day it stopped to the day the requester answered.
    public struct Stop: Sendable, Equatable, Codable {
        public var reason: StopReason
        public var from: CivilDate
        public var to: CivilDate

        public init(reason: StopReason, from: CivilDate, to: CivilDate) {
            self.reason = reason
            self.from = from
            self.to = to
        }
    }

    /// An extension taken on a day, in the rule's unit.
    public struct Extension: Sendable, Equatable, Codable {
        public var on: CivilDate
        public var amount: Int

        public init(on: CivilDate, amount: Int) {
            self.on = on
            self.amount = amount
        }
    }

    /// A date someone else set (rule `setByOthers`): the ICO's submission date, or a decision's
    /// steps deadline; `due` is `nil` while nothing is due (the case is with the ICO, or at
    /// the tribunal).
    public struct SetDate: Sendable, Equatable, Codable {
        /// The day it was set: receipt of the ICO's letter, a decision notice, a tribunal's decision.
        public var on: CivilDate
        /// What happened that day: `decision notice`.
        public var event: String
        /// The date due, or `nil` while nothing is due.
        public var due: CivilDate?
        /// How the date follows, or why nothing is due: `decision notice + 35 calendar days`.
        public var basis: String

        public init(on: CivilDate, event: String, due: CivilDate?, basis: String) {
            self.on = on
            self.event = event
            self.due = due
            self.basis = basis
        }

        enum CodingKeys: String, CodingKey {
            case on, event, due, basis
        }
    }

    /// The day the clock counts from: receipt, or a later restart.
    public var start: CivilDate
    /// Set while the clock is stopped (awaiting clarification, fee or identity).
    public var pausedSince: CivilDate?
    /// Why it is stopped now (absent on rows stored before it was recorded).
    public var pausedReason: StopReason?
    public var feePeriods: [FeePeriod]
    /// Calendar days the clock stood still for clarification (SAR: DUAA 2025).
    public var pausedDays: Int
    /// Extension taken, in working days (rules counted in working days).
    public var extensionDays: Int
    /// Extension taken, in months (rules counted in calendar months).
    public var extensionMonths: Int
    /// Every stop that has ended, in order (for explanations; the fields above decide the date).
    public var stops: [Stop]
    /// Every extension, in order (for explanations).
    public var extensions: [Extension]
    /// The date set by others, for rule `setByOthers` (an ICO case).
    public var setDate: SetDate?

    /// The stored keys: SQL reads `pausedSince` (lapsing), and old rows must stay readable,
    /// so they are written out here and never follow a rename of a property.
    public enum CodingKeys: String, CodingKey {
        case start
        case pausedSince
        case pausedReason
        case feePeriods
        case pausedDays
        case extensionDays
        case extensionMonths
        case stops
        case extensions
        case setDate = "set"
    }

    public init(received: CivilDate) {
        start = received
        pausedSince = nil
        pausedReason = nil
        feePeriods = []
        pausedDays = 0
        extensionDays = 0
        extensionMonths = 0
        stops = []
        extensions = []
        setDate = nil
    }

    /// Reads a stored clock; keys added later may be missing from older rows.
    public init(from decoder: any Decoder) throws {
        let values = try decoder.container(keyedBy: CodingKeys.self)
        start = try values.decode(CivilDate.self, forKey: .start)
        pausedSince = try values.decodeIfPresent(CivilDate.self, forKey: .pausedSince)
        pausedReason = try values.decodeIfPresent(StopReason.self, forKey: .pausedReason)
        feePeriods = try values.decodeIfPresent([FeePeriod].self, forKey: .feePeriods) ?? []
        pausedDays = try values.decodeIfPresent(Int.self, forKey: .pausedDays) ?? 0
        extensionDays = try values.decodeIfPresent(Int.self, forKey: .extensionDays) ?? 0
        extensionMonths = try values.decodeIfPresent(Int.self, forKey: .extensionMonths) ?? 0
        stops = try values.decodeIfPresent([Stop].self, forKey: .stops) ?? []
        extensions = try values.decodeIfPresent([Extension].self, forKey: .extensions) ?? []
        setDate = try values.decodeIfPresent(SetDate.self, forKey: .setDate)
    }

    /// Whether the clock is stopped (waiting for the requester).
    public var isStopped: Bool { pausedSince != nil }

    /// The extension taken so far, in the unit of `rule`.
    public func extensionTaken(under rule: DeadlineRule) -> Int {
        switch rule {
        case .workingDays: extensionDays
        case .calendarMonths: extensionMonths
        case .setByOthers, .calendarDays: 0
        }
    }

    /// The deadline now: `nil` while the clock is stopped, or while nothing is due on a date
    /// set by others.
    public func deadline(rule: DeadlineRule, calendar: WorkingDayCalendar) throws(CalendarError) -> Deadline? {
        if isStopped { return nil }
        if rule == .setByOthers || (rule.endsWithAcknowledgement && setDate != nil) {
            return setDate?.due.map { Deadline(due: $0, maxDue: $0) }
        }
        return try runningDeadline(rule: rule, calendar: calendar)
    }

    /// The deadline as if the clock were running: the due date with the extensions taken,
    /// and the latest the law allows once fully extended.
    public func runningDeadline(rule: DeadlineRule, calendar: WorkingDayCalendar) throws(CalendarError) -> Deadline {
        var walker = DayWalker(clock: self, rule: rule, calendar: calendar, received: start, recording: false)
        let due = try walker.walk(extended: false)
        var limit = DayWalker(clock: self, rule: rule, calendar: calendar, received: start, recording: false)
        return Deadline(due: due, maxDue: try limit.walk(extended: true))
    }

    /// The derivation day by day, from `received` to the due date (or, while the clock is
    /// stopped, to `today`): the lines `EXPLAIN` answers, whose last date is the due date
    /// that `deadline` gives, because both come from the same walk.
    public func explain(
        rule: DeadlineRule, calendar: WorkingDayCalendar, received: CivilDate, today: CivilDate
    ) throws(CalendarError) -> Explanation {
        var walker = DayWalker(clock: self, rule: rule, calendar: calendar, received: received, recording: true)
        if rule == .setByOthers || (rule.endsWithAcknowledgement && setDate != nil) {
            let due = try walker.walkSetDate(today: today)
            return Explanation(days: walker.days, due: due)
        }
        if isStopped {
            try walker.walkStopped(until: max(today, pausedSince ?? today))
            return Explanation(days: walker.days, due: nil)
        }
        let due = try walker.walk(extended: false)
        return Explanation(days: walker.days, due: due)
    }
}

/// A derivation shown day by day.
public struct Explanation: Sendable, Equatable {
    /// One line per calendar day, in order.
    public var days: [ExplainedDay]
    /// The due date (the last line's date), or `nil` while the clock is stopped.
    public var due: CivilDate?
}

/// One day of an explanation.
public struct ExplainedDay: Sendable, Equatable {
    public var date: CivilDate
    /// The running number of working days, on a day that counts (0 on receipt or restart);
    /// `nil` for calendar rules and for days that do not count.
    public var count: Int?
    /// Why the day does not count: a weekend, a holiday's title, or `clock stopped: ...`.
    public var skip: String?
    /// What happened that day.
    public var notes: [String]

    public init(date: CivilDate, count: Int? = nil, skip: String? = nil, notes: [String] = []) {
        self.date = date
        self.count = count
        self.skip = skip
        self.notes = notes
    }
}

/// Walks the calendar day by day from receipt: the one place a due date is derived.
struct DayWalker {
    let clock: StatutoryClock
    let rule: DeadlineRule
    let calendar: WorkingDayCalendar
    let received: CivilDate
    let recording: Bool
    private(set) var days: [ExplainedDay] = []

    init(clock: StatutoryClock, rule: DeadlineRule, calendar: WorkingDayCalendar, received: CivilDate, recording: Bool) {
        self.clock = clock
        self.rule = rule
        self.calendar = calendar
        // A clock restarted before anything was recorded still starts no later than receipt.
        self.received = min(received, clock.start)
        self.recording = recording
    }

    /// The due date (fully extended when `extended`), recording the days on the way.
    mutating func walk(extended: Bool) throws(CalendarError) -> CivilDate {
        _ = try calendar.isWorkingDay(received)  // receipt must be within the calendar's range
        switch rule {
        case .workingDays(let base, let total):
            return try walkWorkingDays(target: extended ? total : base + clock.extensionDays)
        case .calendarMonths(let base, let total):
            return try walkMonths(months: extended ? total : base + clock.extensionMonths)
        case .calendarDays(let days):
            return try walkCalendar(to: clock.start.adding(days: days), text: "\(days) calendar days")
        case .setByOthers:
            // Nothing to derive: the date is the one set (checked by `deadline` first).
            guard let due = clock.setDate?.due else { throw .notDerived("nothing is due: the date is set by others") }
            return due
        }
    }

    /// A date set by others: one line per day from receipt to the due date (or to `today`
    /// while nothing is due), counting nothing; the day it was set says by what, and the due
    /// date says how it follows. Returns the due date, or `nil`.
    mutating func walkSetDate(today: CivilDate) throws(CalendarError) -> CivilDate? {
        let set = clock.setDate
        let due = set?.due
        let end = due ?? max(today, set?.on ?? received)
        var date = received
        while date <= end {
            var line = ExplainedDay(date: date)
            if date == received { line.notes.append("received") }
            if let set, date == set.on, set.event != "received" { line.notes.append(set.event) }
            if let set, date < set.on { line.skip = "before the \(set.event)" }
            if let set, due == nil, date > set.on { line.skip = "clock stopped: \(set.basis)" }
            if date == due {
                line.notes.append(set?.basis ?? "set by others")
                line.notes.append("due")
            }
            days.append(line)
            date = date.adding(days: 1)
        }
        return due
    }

    /// Lines from receipt to `today` for a clock that is stopped now.
    mutating func walkStopped(until today: CivilDate) throws(CalendarError) {
        guard recording else { return }
        var count = 0
        var date = received
        while date <= today {
            var line = try baseLine(date, count: &count)
            if isCalendarRule {
                line.count = nil
                line.skip = stopSkip(date)
            }
            if let since = clock.pausedSince, date >= since {
                let reason = clock.pausedReason
                if date == since { line.notes.append(reason?.stoppedNote ?? "clock stopped") }
                if date > since || reason == .fee || isCalendarRule {
                    line.count = nil
                    line.skip = "clock stopped: \(reason?.waiting ?? "awaiting the requester")"
                }
            }
            days.append(line)
            date = date.adding(days: 1)
        }
    }

    private var isCalendarRule: Bool {
        switch rule {
        case .calendarMonths, .calendarDays: true
        case .workingDays, .setByOthers: false
        }
    }

    // MARK: Working days

    /// Counts working days from the start, passing over the days a fee stopped the clock,
    /// until `target` have counted.
    private mutating func walkWorkingDays(target: Int) throws(CalendarError) -> CivilDate {
        let start = clock.start
        var count = 0
        var date = received
        var limit = 0
        while true {
            var line = try baseLine(date, count: &count)
            if date >= start, line.count != nil, line.count ?? 0 > 0, clock.feePeriods.contains(where: { $0.notice <= date && date <= $0.paid }) {
                // A working day inside a fee period: disregarded (FOIA s.10(2)).
                count -= 1
                line.count = nil
                line.skip = "clock stopped: \(StatutoryClock.StopReason.fee.waiting)"
            }
            let done = date >= start && line.count == target
            if recording {
                if done { line.notes.append("due") }
                days.append(line)
            }
            if done { return date }
            date = date.adding(days: 1)
            limit += 1
            if limit > 40_000 { throw .offsetOutOfRange(target) }
        }
    }

    // MARK: Calendar months

    /// The corresponding date `months` on from the start, plus the days a clarification
    /// stopped the clock, moved to the next working day.
    private mutating func walkMonths(months: Int) throws(CalendarError) -> CivilDate {
        try walkCalendar(to: clock.start.adding(months: months), text: Self.monthsText(months))
    }

    /// Calendar counting: the start plus a length (`step`, in words `text`), plus the days
    /// the clock stood still, moved to the next working day.
    private mutating func walkCalendar(to step: CivilDate, text: String) throws(CalendarError) -> CivilDate {
        let withPause = step.adding(days: clock.pausedDays)
        _ = try calendar.isWorkingDay(clock.start)  // the start must be within the calendar's range
        let due = try calendar.nextWorkingDay(onOrAfter: withPause)
        guard recording else { return due }
        var count = 0
        var date = received
        while date <= due {
            var line = try baseLine(date, count: &count)
            line.count = nil
            if date == step { line.notes.append("\(text): \(step)") }
            if clock.pausedDays > 0, date == withPause {
                line.notes.append("plus \(clock.pausedDays) day\(clock.pausedDays == 1 ? "" : "s") the clock stood still: \(withPause)")
            }
            if date >= withPause, date < due {
                line.skip = try calendar.reason(date) ?? date.weekday.name
            } else if date < withPause {
                line.skip = stopSkip(date)
            } else {
                line.skip = nil
            }
            if date == due { line.notes.append("due") }
            days.append(line)
            date = date.adding(days: 1)
        }
        return due
    }

    /// Calendar rules: a day from a stop's first day up to the day before the answer is skipped
    /// (those are the days a pause adds, or the days before the month runs from the answer).
    private func stopSkip(_ date: CivilDate) -> String? {
        clock.stops.first { $0.from <= date && date < $0.to }.map { "clock stopped: \($0.reason.waiting)" }
    }

    static func monthsText(_ months: Int) -> String {
        let words = [1: "one calendar month", 2: "two calendar months", 3: "three calendar months"]
        return words[months] ?? "\(months) calendar months"
    }

    // MARK: Lines

    /// A day's line before rule-specific marks: counted or skipped by the calendar, restarts,
    /// stops and notes of what happened that day. `count` runs from the last (re)start.
    private func baseLine(_ date: CivilDate, count: inout Int) throws(CalendarError) -> ExplainedDay {
        var line = ExplainedDay(date: date)
        if recording { addNotes(&line) }
        if date == received || date == clock.start {
            if date == clock.start { count = 0 }
            line.count = isCalendarRule ? nil : (date == clock.start ? 0 : count)
            return line
        }
        // Before a restart, the days count on from receipt, except inside a stop.
        if date < clock.start {
            if let stop = clock.stops.first(where: { $0.from < date && date < $0.to }) {
                line.skip = "clock stopped: \(stop.reason.waiting)"
                return line
            }
            if clock.stops.isEmpty {
                line.skip = "clock stopped"
                return line
            }
        }
        if let reason = try calendar.reason(date) {
            line.skip = reason
            return line
        }
        count += 1
        line.count = count
        return line
    }

    /// What happened on the line's day, in words (display only: no effect on the count).
    private func addNotes(_ line: inout ExplainedDay) {
        let date = line.date
        if date == received { line.notes.append("received") }
        for stop in clock.stops {
            if stop.from == date { line.notes.append(stop.reason.stoppedNote) }
            if stop.to == date {
                let restarts = stop.reason == .clarification && !isCalendarRule && stop.to <= clock.start
                line.notes.append(restarts ? "\(stop.reason.resumedNote): the count starts again" : stop.reason.resumedNote)
            }
        }
        if clock.start > received, date == clock.start, !clock.stops.contains(where: { $0.to == date }) {
            line.notes.append(isCalendarRule ? "the clock starts" : "the count starts again")
        }
        for period in clock.feePeriods where !clock.stops.contains(where: { $0.reason == .fee && $0.from == period.notice }) {
            if period.notice == date { line.notes.append(StatutoryClock.StopReason.fee.stoppedNote) }
            if period.paid == date { line.notes.append(StatutoryClock.StopReason.fee.resumedNote) }
        }
        for entry in clock.extensions where entry.on == date {
            line.notes.append("extended by \(entry.amount) \(entry.amount == 1 ? String(rule.unitName.dropLast()) : rule.unitName)")
        }
    }
}
