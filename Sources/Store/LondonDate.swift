import Dates
import Foundation

/// Today's date where the authority works.
public enum LondonDate {
    /// Today in Europe/London, or the date override when it is honoured (`Override`).
    public static func today() -> CivilDate {
        if case .honoured(let date) = processOverride { return date }
        return date(at: Date())
    }

    /// Today in Europe/London, or the override honoured in `environment`.
    public static func today(environment: [String: String]) -> CivilDate {
        if case .honoured(let date) = Override(environment: environment) { return date }
        return date(at: Date())
    }

    /// `FOIFLOW_TODAY=YYYY-MM-DD` moves "today" (to replay a night, or in tests), and only
    /// when `FOIFLOW_TODAY_OVERRIDE=yes` is also set: a production binary with the first alone
    /// refuses to run rather than act on a date that is not today.
    public enum Override: Equatable, Sendable {
        /// No `FOIFLOW_TODAY`: the real date.
        case none
        /// Both variables set and the date valid: today is `date`.
        case honoured(CivilDate)
        /// `FOIFLOW_TODAY` set but not honoured; why, for an error.
        case refused(String)

        public init(environment: [String: String]) {
            guard let text = environment["FOIFLOW_TODAY"], !text.isEmpty else {
                self = .none
                return
            }
            guard environment["FOIFLOW_TODAY_OVERRIDE"] == "yes" else {
                self = .refused(
                    "FOIFLOW_TODAY is set, but a date override is honoured only with FOIFLOW_TODAY_OVERRIDE=yes (a replay or a test); unset FOIFLOW_TODAY to use today's date"
                )
                return
            }
            guard let date = CivilDate(iso: text) else {
                self = .refused("FOIFLOW_TODAY=\(text.debugDescription) is not a date (YYYY-MM-DD)")
                return
            }
            self = .honoured(date)
        }

        /// The line every command prints on stderr while the override is honoured.
        public var notice: String? {
            guard case .honoured(let date) = self else { return nil }
            return "foiflow: FOIFLOW_TODAY_OVERRIDE=yes: today is taken to be \(date), not the real date"
        }
    }

    /// The process's override, read once: the server asks for today on every command, and
    /// copying the environment each time cost a fifth of its CPU.
    public static let processOverride = Override(environment: ProcessInfo.processInfo.environment)

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
