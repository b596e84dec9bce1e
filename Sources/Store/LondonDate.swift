import Dates
import Foundation

/// Today's date where the authority works.
public enum LondonDate {
    /// Today in Europe/London. `FOIFLOW_TODAY=YYYY-MM-DD` overrides it (to replay a day,
    /// or in tests); an invalid override is ignored.
    public static func today(environment: [String: String] = ProcessInfo.processInfo.environment) -> CivilDate {
        if let text = environment["FOIFLOW_TODAY"], let date = CivilDate(iso: text) { return date }
        return date(at: Date())
    }

    /// The date in London at `instant`: UTC, or UTC+1 during British Summer Time, which
    /// runs from 01:00 UTC on the last Sunday of March to 01:00 UTC on the last Sunday of
    /// October (the Summer Time Order 2002). Computed, so no time-zone database is needed.
    public static func date(at instant: Date) -> CivilDate {
        let seconds = Int(instant.timeIntervalSince1970.rounded(.down))
        let utcDay = CivilDate(dayNumber: seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400)
        let year = utcDay.year
        let starts = lastSunday(year: year, month: 3).dayNumber * 86_400 + 3_600
        let ends = lastSunday(year: year, month: 10).dayNumber * 86_400 + 3_600
        let offset = seconds >= starts && seconds < ends ? 3_600 : 0
        let local = seconds + offset
        return CivilDate(dayNumber: local >= 0 ? local / 86_400 : (local - 86_399) / 86_400)
    }

    private static func lastSunday(year: Int, month: Int) -> CivilDate {
        var day = CivilDate(year: year, month: month, clampingDay: 31)
        while day.weekday != .sunday { day = day.adding(days: -1) }
        return day
    }
}
