import Dates
import Deadlines
import Workflow

/// One date per calendar (a cutoff, say), passed to SQL as two parallel arrays, so that a
/// statement picks each row's date by its `calendar` column
/// (`(dates::date[])[array_position(names::text[], calendar)]`) instead of a `CASE` that
/// lists the calendars again.
struct PerCalendar: Sendable {
    /// Calendar names, in `CalendarID.allCases` order.
    let names: [String]
    /// The date for each calendar of `names`.
    let dates: [CivilDate]

    /// The date `compute` gives for each calendar of `calendars`; a calendar error is bad input.
    init(_ calendars: CalendarSet, _ compute: (WorkingDayCalendar) throws(CalendarError) -> CivilDate) throws(WorkflowError) {
        var dates: [CivilDate] = []
        for id in CalendarID.allCases {
            do {
                dates.append(try compute(calendars[id]))
            } catch {
                throw .badArgument(error.description)
            }
        }
        self.names = CalendarID.allCases.map(\.rawValue)
        self.dates = dates
    }

    /// The latest of the dates (a bound every row's own date is under).
    var latest: CivilDate? { dates.max() }

    /// As `[calendar name: date]`, for reports.
    var byName: [String: CivilDate] { Dictionary(uniqueKeysWithValues: zip(names, dates)) }
}
