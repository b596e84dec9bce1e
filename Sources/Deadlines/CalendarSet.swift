import Dates

/// The four working-day calendars built from one list of holidays.
public struct CalendarSet: Sendable {
    private let calendars: [WorkingDayCalendar]
    /// The holidays the calendars were built from.
    public let holidays: [Holiday]

    /// Builds every calendar from `holidays`.
    public init(holidays: [Holiday]) {
        self.holidays = holidays
        calendars = CalendarID.allCases.map { WorkingDayCalendar(id: $0, holidays: holidays) }
    }

    /// The calendar `id`.
    public subscript(id: CalendarID) -> WorkingDayCalendar {
        calendars[CalendarID.allCases.firstIndex(of: id) ?? 0]
    }

    /// The calendars from the rules alone, for every year of the index.
    public static let rules = CalendarSet(holidays: HolidayRules.holidays(years: WorkingDayCalendar.indexYears))

    /// Calendars from stored holidays for `storedYears` (the database's list,
    /// with any admin changes), and from the rules for the years outside them.
    public static func merging(stored: [Holiday], storedYears: ClosedRange<Int>) -> CalendarSet {
        let outside = HolidayRules.holidays(years: WorkingDayCalendar.indexYears).filter { !storedYears.contains($0.date.year) }
        return CalendarSet(holidays: outside + stored.filter { storedYears.contains($0.date.year) })
    }
}
