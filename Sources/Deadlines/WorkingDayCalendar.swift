import Dates

/// Working-day arithmetic over one calendar, in constant time.
///
/// Built once from a list of holidays into two arrays over a fixed span of
/// days: a running count of working days, and the working days in order. Then
/// `workingDaysBetween` is one subtraction and `addWorkingDays` one lookup.
/// Saturdays, Sundays and the calendar's holidays are not working days.
public struct WorkingDayCalendar: Sendable {
    /// The first date accepted as input: 1990-01-01 (a constant, not a lazy global: it is on the hot path).
    @inlinable public static var firstDate: CivilDate { CivilDate(dayNumber: 7305) }
    /// The last date accepted as input: 2100-12-31.
    @inlinable public static var lastDate: CivilDate { CivilDate(dayNumber: 47846) }
    /// The largest working-day offset accepted (either sign).
    @inlinable public static var maxOffset: Int { 10_000 }
    /// Years the index covers: the input range plus room for ±10,000 working days.
    public static let indexYears = 1940...2160

    public let id: CalendarID
    @usableFromInline let base: Int
    /// `cumulative[i]`: working days on or before day `base + i`, counted from `base`.
    @usableFromInline let cumulative: [Int32]
    /// Offsets from `base` of every working day, ascending.
    @usableFromInline let workingDays: [Int32]
    /// Offsets from `base` of holidays, with the reason to give.
    private let reasons: [Int32: String]

    /// Builds the calendar `id` from `holidays` (those of other divisions are ignored).
    public init(id: CalendarID, holidays: some Sequence<Holiday>) {
        self.id = id
        let start = CivilDate(year: Self.indexYears.lowerBound, month: 1, clampingDay: 1)
        let end = CivilDate(year: Self.indexYears.upperBound, month: 12, clampingDay: 31)
        base = start.dayNumber
        let span = end.dayNumber - base + 1
        let divisions = Set(id.divisions)

        var isHoliday = [Bool](repeating: false, count: span)
        var reasons: [Int32: (Division, String)] = [:]
        for holiday in holidays where divisions.contains(holiday.division) {
            let offset = holiday.date.dayNumber - base
            guard offset >= 0, offset < span else { continue }
            isHoliday[offset] = true
            // One reason per day: the first division in GOV.UK order wins.
            if let existing = reasons[Int32(offset)], existing.0 <= holiday.division { continue }
            reasons[Int32(offset)] = (holiday.division, holiday.reason)
        }
        self.reasons = reasons.mapValues(\.1)

        var cumulative = [Int32](repeating: 0, count: span)
        var workingDays: [Int32] = []
        workingDays.reserveCapacity(span * 5 / 7)
        var count: Int32 = 0
        // `base` is a known weekday; step the weekday along instead of recomputing it.
        var weekday = start.weekday.rawValue  // 1 = Monday
        for offset in 0..<span {
            if weekday < 6, !isHoliday[offset] {
                count += 1
                workingDays.append(Int32(offset))
            }
            cumulative[offset] = count
            weekday = weekday == 7 ? 1 : weekday + 1
        }
        self.cumulative = cumulative
        self.workingDays = workingDays
    }

    /// Whether `date` is a working day.
    @inlinable
    public func isWorkingDay(_ date: CivilDate) throws(CalendarError) -> Bool {
        let offset = try index(date)
        return isWorking(offset)
    }

    /// Why `date` is not a working day (`Saturday`, `Christmas Day`,
    /// `St Andrew's Day (substitute day)`), or `nil` when it is one.
    public func reason(_ date: CivilDate) throws(CalendarError) -> String? {
        let offset = try index(date)
        if isWorking(offset) { return nil }
        if let reason = reasons[Int32(offset)] { return reason }
        return date.weekday.name
    }

    /// The `n`th working day after `date` (day 1 is the first working day strictly
    /// after it, also when `date` itself is not a working day); for negative `n`,
    /// the |n|th working day before it; `date` itself for 0.
    @inlinable
    public func addWorkingDays(_ date: CivilDate, _ n: Int) throws(CalendarError) -> CivilDate {
        let offset = try index(date)
        guard abs(n) <= Self.maxOffset else { throw .offsetOutOfRange(n) }
        if n == 0 { return date }
        let onOrBefore = Int(cumulative[offset])  // working days <= date
        let rank: Int
        if n > 0 {
            rank = onOrBefore + n - 1
        } else {
            let before = onOrBefore - (isWorking(offset) ? 1 : 0)
            rank = before + n
        }
        return CivilDate(dayNumber: base + Int(workingDays[rank]))
    }

    /// Working days `d` with `a < d ≤ b`; negative when `b` is before `a`.
    @inlinable
    public func workingDaysBetween(_ a: CivilDate, _ b: CivilDate) throws(CalendarError) -> Int {
        let i = try index(a)
        let j = try index(b)
        return Int(cumulative[j]) - Int(cumulative[i])
    }

    /// `date` when it is a working day, else the next working day.
    public func nextWorkingDay(onOrAfter date: CivilDate) throws(CalendarError) -> CivilDate {
        try isWorkingDay(date) ? date : addWorkingDays(date, 1)
    }

    /// The ICO's month arithmetic: the same day of the month `months` later,
    /// clamped to the month's last day, then `plusDays` calendar days on (days the clock
    /// stood still), moved to the next working day if needed.
    public func addingMonthsToWorkingDay(_ date: CivilDate, months: Int, plusDays: Int = 0) throws(CalendarError) -> CivilDate {
        _ = try index(date)
        return try nextWorkingDay(onOrAfter: date.adding(months: months).adding(days: plusDays))
    }

    /// Every non-working weekday in `range` with its reason (for listings).
    public func holidays(in range: ClosedRange<CivilDate>) -> [(date: CivilDate, reason: String)] {
        reasons.compactMap { offset, reason in
            let date = CivilDate(dayNumber: base + Int(offset))
            return range.contains(date) ? (date, reason) : nil
        }.sorted { $0.date < $1.date }
    }

    // MARK: Internals

    @inlinable
    func isWorking(_ offset: Int) -> Bool {
        cumulative[offset] != (offset == 0 ? 0 : cumulative[offset - 1])
    }

    /// The array offset of `date`, which must be within the input range.
    @inlinable
    func index(_ date: CivilDate) throws(CalendarError) -> Int {
        guard date >= Self.firstDate, date <= Self.lastDate else { throw .dateOutOfRange(date) }
        return date.dayNumber - base
    }
}
