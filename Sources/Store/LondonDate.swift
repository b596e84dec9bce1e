import Dates
import Foundation

/// Today's date where the authority works.
public enum LondonDate {
    /// Today in Europe/London. `FOIFLOW_TODAY=YYYY-MM-DD` overrides it (to replay a day,
    /// or in tests); an invalid override is ignored.
    public static func today(environment: [String: String] = ProcessInfo.processInfo.environment) -> CivilDate {
        if let text = environment["FOIFLOW_TODAY"], let date = CivilDate(iso: text) { return date }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Europe/London") ?? TimeZone(secondsFromGMT: 0) ?? calendar.timeZone
        let parts = calendar.dateComponents([.year, .month, .day], from: Date())
        return CivilDate(year: parts.year ?? 1970, month: parts.month ?? 1, day: parts.day ?? 1) ?? CivilDate(dayNumber: 0)
    }
}
