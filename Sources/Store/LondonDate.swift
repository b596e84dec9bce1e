import Dates
import Foundation

/// Today's date where the authority works.
public enum LondonDate {
    /// Today in Europe/London. `FOIFLOW_TODAY=YYYY-MM-DD` in the process's environment
    /// overrides it (to replay a day, or in tests); an invalid override is ignored.
    public static func today() -> CivilDate {
        processOverride ?? date(at: Date())
    }

    /// Today in Europe/London, or the override in `environment`.
    public static func today(environment: [String: String]) -> CivilDate {
        override(in: environment) ?? date(at: Date())
    }

    /// The process's `FOIFLOW_TODAY`, read once: the server asks for today on every command,
    /// and copying the environment each time cost a fifth of its CPU.
    private static let processOverride = override(in: ProcessInfo.processInfo.environment)

    private static func override(in environment: [String: String]) -> CivilDate? {
        environment["FOIFLOW_TODAY"].flatMap { CivilDate(iso: $0) }
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
