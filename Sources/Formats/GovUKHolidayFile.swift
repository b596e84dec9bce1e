import Dates
import Deadlines
import Foundation
import Workflow

/// Reads GOV.UK's `bank-holidays.json`:
/// `{"england-and-wales": {"division": "...", "events": [{"title", "date", "notes", "bunting"}]}, ...}`.
///
/// Every problem is reported with the field's path, e.g.
/// `scotland.events[3].date: "2026-02-30" is not a valid date`, and nothing is returned.
public enum GovUKHolidayFile {
    public static func parse(_ data: Data) throws(WorkflowError) -> [Holiday] {
        let root: Any
        do {
            root = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw .badArgument("not valid JSON: \(syntaxProblem(error, in: data))")
        }
        guard let divisions = root as? [String: Any] else {
            throw .badArgument("the top level must be an object keyed by division (england-and-wales, scotland, northern-ireland)")
        }
        guard !divisions.isEmpty else { throw .badArgument("the file names no division") }
        var holidays: [Holiday] = []
        for key in divisions.keys.sorted() {
            guard let division = Division(rawValue: key) else {
                throw .badArgument("\(key): unknown division; expected one of \(Division.names)")
            }
            guard let body = divisions[key] as? [String: Any] else { throw .badArgument("\(key): must be an object") }
            if let named = body["division"], (named as? String) != key {
                throw .badArgument("\(key).division: must be \"\(key)\"")
            }
            guard let events = body["events"] as? [Any] else { throw .badArgument("\(key).events: missing or not a list") }
            var seen = Set<CivilDate>()
            for (index, item) in events.enumerated() {
                let path = "\(key).events[\(index)]"
                guard let event = item as? [String: Any] else { throw .badArgument("\(path): must be an object") }
                guard let dateText = event["date"] as? String else { throw .badArgument("\(path).date: missing or not a string") }
                guard let date = CivilDate(iso: dateText) else { throw .badArgument("\(path).date: \"\(dateText)\" is not a valid YYYY-MM-DD date") }
                guard date >= WorkingDayCalendar.firstDate, date <= WorkingDayCalendar.lastDate else {
                    throw .badArgument("\(path).date: \(date) is outside \(WorkingDayCalendar.firstDate) to \(WorkingDayCalendar.lastDate)")
                }
                guard let title = event["title"] as? String, !title.trimmingCharacters(in: .whitespaces).isEmpty else {
                    throw .badArgument("\(path).title: missing or empty")
                }
                try HostileText.check(title, field: "\(path).title")
                if let notes = event["notes"], !(notes is String) { throw .badArgument("\(path).notes: must be a string") }
                guard seen.insert(date).inserted else { throw .badArgument("\(path).date: \(date) is listed twice for \(key)") }
                let notes = (event["notes"] as? String) ?? ""
                holidays.append(
                    Holiday(
                        date: date, division: division, title: title.replacingOccurrences(of: "\u{2019}", with: "'"),
                        isSubstitute: notes.localizedCaseInsensitiveContains("substitute")))
            }
        }
        return holidays
    }

    /// Foundation's parse error, with "around character N" turned into a line and column.
    static func syntaxProblem(_ error: any Error, in data: Data) -> String {
        let detail = ((error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String) ?? error.localizedDescription
        guard let range = detail.range(of: "around character "),
            let offset = Int(detail[range.upperBound...].prefix(while: \.isNumber))
        else { return detail }
        var line = 1, column = 1
        for byte in data.prefix(offset) {
            if byte == UInt8(ascii: "\n") { line += 1; column = 1 } else { column += 1 }
        }
        return "\(detail.prefix(upTo: range.lowerBound))at line \(line), column \(column)"
    }
}
