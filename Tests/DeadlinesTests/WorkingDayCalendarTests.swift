import Dates
import Deadlines
import Testing

func day(_ text: String) -> CivilDate {
    guard let date = CivilDate(iso: text) else {
        Issue.record("bad date literal \(text)")
        return CivilDate(dayNumber: 0)
    }
    return date
}

@Suite struct WorkingDayCalendarTests {
    let calendars = CalendarSet.rules

    /// The obvious day-by-day definition, to check the O(1) index against.
    func naiveAdd(_ calendar: WorkingDayCalendar, _ date: CivilDate, _ n: Int) throws -> CivilDate {
        var d = date
        var left = abs(n)
        while left > 0 {
            d = d.adding(days: n > 0 ? 1 : -1)
            if try calendar.isWorkingDay(d) { left -= 1 }
        }
        return d
    }

    func naiveBetween(_ calendar: WorkingDayCalendar, _ a: CivilDate, _ b: CivilDate) throws -> Int {
        let (lo, hi, sign) = a <= b ? (a, b, 1) : (b, a, -1)
        var count = 0
        var d = lo.adding(days: 1)
        while d <= hi {
            if try calendar.isWorkingDay(d) { count += 1 }
            d = d.adding(days: 1)
        }
        return sign * count
    }

    @Test func weekendsAndHolidaysWithReasons() throws {
        let uk = calendars[.uk]
        #expect(try uk.reason(day("2026-11-21")) == "Saturday")
        #expect(try uk.reason(day("2026-11-22")) == "Sunday")
        #expect(try uk.reason(day("2026-11-30")) == "St Andrew's Day")
        #expect(try uk.reason(day("2026-11-27")) == nil)
        #expect(try uk.reason(day("2025-12-01")) == "St Andrew's Day (substitute day)")
        #expect(try uk.reason(day("2022-09-19")) == "Bank holiday for the State Funeral of Queen Elizabeth II")
        #expect(try uk.isWorkingDay(day("2026-11-30")) == false)
        #expect(try calendars[.englandAndWales].isWorkingDay(day("2026-11-30")) == true)
    }

    /// FOIA s.10(6): a bank holiday in any part of the UK stops the clock everywhere.
    @Test func ukCalendarSkipsEveryDivisionsHolidays() throws {
        let uk = calendars[.uk], ew = calendars[.englandAndWales]
        for text in ["2014-03-17", "2026-03-17", "2026-01-02", "2026-08-03", "2026-07-13", "2026-06-15"] {
            #expect(try uk.isWorkingDay(day(text)) == false, "\(text) on uk")
        }
        // ...but those are ordinary days in England and Wales.
        for text in ["2014-03-17", "2026-01-02", "2026-08-03", "2026-06-15"] {
            #expect(try ew.isWorkingDay(day(text)) == true, "\(text) on england-and-wales")
        }
    }

    /// FOISA s.73: Easter Monday, the last Monday of August and NI-only days are Scottish working days.
    @Test func scottishCalendar() throws {
        let scotland = calendars[.scotland]
        #expect(try scotland.isWorkingDay(day("2026-04-06")))  // Easter Monday
        #expect(try scotland.isWorkingDay(day("2026-08-31")))  // last Monday of August
        #expect(try scotland.isWorkingDay(day("2026-03-17")))  // St Patrick's Day
        #expect(try scotland.isWorkingDay(day("2026-04-03")) == false)  // Good Friday
        #expect(try scotland.isWorkingDay(day("2026-08-03")) == false)  // first Monday of August
        #expect(try calendars[.northernIreland].reason(day("2026-07-13")) == "Battle of the Boyne (Orangemen's Day) (substitute day)")
    }

    @Test func christmasAndGoodFridayAreNeverWorkingDays() throws {
        for id in CalendarID.allCases {
            for year in 1990...2100 {
                let christmas = try #require(CivilDate(year: year, month: 12, day: 25))
                #expect(try calendars[id].isWorkingDay(christmas) == false)
                #expect(try calendars[id].isWorkingDay(HolidayRules.easterSunday(year).adding(days: -2)) == false)
            }
        }
    }

    @Test func dayOneIsTheFirstWorkingDayAfterReceipt() throws {
        let uk = calendars[.uk]
        #expect(try uk.addWorkingDays(day("2026-11-20"), 1) == day("2026-11-23"))
        // Received on a Saturday, or on a bank holiday: day 1 is still the next working day.
        #expect(try uk.addWorkingDays(day("2026-11-21"), 1) == day("2026-11-23"))
        #expect(try uk.addWorkingDays(day("2026-11-30"), 1) == day("2026-12-01"))
        #expect(try uk.addWorkingDays(day("2026-11-21"), 20) == uk.addWorkingDays(day("2026-11-20"), 20))
        #expect(try uk.addWorkingDays(day("2026-11-21"), 0) == day("2026-11-21"))
        #expect(try uk.addWorkingDays(day("2026-11-23"), -1) == day("2026-11-20"))
        #expect(try uk.addWorkingDays(day("2026-11-22"), -1) == day("2026-11-20"))
        #expect(try uk.addWorkingDays(day("2026-12-01"), -1) == day("2026-11-27"))
    }

    @Test func countingBetweenDates() throws {
        let uk = calendars[.uk]
        #expect(try uk.workingDaysBetween(day("2026-11-20"), day("2026-11-20")) == 0)
        #expect(try uk.workingDaysBetween(day("2026-11-20"), day("2026-11-23")) == 1)
        #expect(try uk.workingDaysBetween(day("2026-11-20"), day("2026-12-21")) == 20)
        #expect(try uk.workingDaysBetween(day("2026-12-21"), day("2026-11-20")) == -20)
        #expect(try uk.workingDaysBetween(day("2026-11-21"), day("2026-11-22")) == 0)
    }

    @Test func indexAgreesWithTheDayByDayDefinition() throws {
        var rng = SystemRandomNumberGenerator()
        let first = WorkingDayCalendar.firstDate.dayNumber, last = WorkingDayCalendar.lastDate.dayNumber
        for id in CalendarID.allCases {
            let calendar = calendars[id]
            for _ in 0..<300 {
                let date = CivilDate(dayNumber: Int.random(in: (first + 200)...(last - 200), using: &rng))
                let n = Int.random(in: -90...90, using: &rng)
                #expect(try calendar.addWorkingDays(date, n) == naiveAdd(calendar, date, n), "\(id) \(date) \(n)")
                let other = date.adding(days: Int.random(in: -150...150, using: &rng))
                #expect(try calendar.workingDaysBetween(date, other) == naiveBetween(calendar, date, other), "\(id) \(date) \(other)")
            }
        }
    }

    @Test func propertiesOverRandomDates() throws {
        var rng = SystemRandomNumberGenerator()
        let first = WorkingDayCalendar.firstDate.dayNumber, last = WorkingDayCalendar.lastDate.dayNumber
        for id in CalendarID.allCases {
            let calendar = calendars[id]
            for _ in 0..<5000 {
                let date = CivilDate(dayNumber: Int.random(in: first...last, using: &rng))
                let n = Int.random(in: -10_000...10_000, using: &rng)
                let result = try calendar.addWorkingDays(date, n)
                if n == 0 {
                    #expect(result == date)
                    continue
                }
                // Results may leave the input range at the far ends; only check them inside it.
                guard result >= WorkingDayCalendar.firstDate, result <= WorkingDayCalendar.lastDate else { continue }
                let dateIsWorking = try calendar.isWorkingDay(date)
                // Forward from any day, or back from a working day, the count is exact. Back from
                // a non-working day (a Sunday), 1 working day before is the Friday: one fewer lies between.
                let expected = n > 0 || dateIsWorking ? n : n + 1
                #expect(try calendar.workingDaysBetween(date, result) == expected, "\(id) \(date) \(n)")
                #expect(try calendar.isWorkingDay(result), "\(id) \(date) \(n) gave \(result)")
                #expect(n > 0 ? result > date : result < date)
                // Going back the same number of working days returns to a working day.
                if dateIsWorking {
                    #expect(try calendar.addWorkingDays(result, -n) == date, "\(id) \(date) \(n) round trip")
                }
            }
        }
    }

    @Test func badInputIsRefused() throws {
        let uk = calendars[.uk]
        #expect(throws: CalendarError.dateOutOfRange(day("1989-12-31"))) { try uk.isWorkingDay(day("1989-12-31")) }
        #expect(throws: CalendarError.dateOutOfRange(day("2101-01-01"))) { try uk.addWorkingDays(day("2101-01-01"), 1) }
        #expect(throws: CalendarError.offsetOutOfRange(10_001)) { try uk.addWorkingDays(day("2026-01-01"), 10_001) }
        #expect(throws: CalendarError.offsetOutOfRange(-10_001)) { try uk.addWorkingDays(day("2026-01-01"), -10_001) }
        #expect(try uk.addWorkingDays(day("1990-01-01"), -10_000) < day("1990-01-01"))
        #expect(try uk.addWorkingDays(day("2100-12-31"), 10_000) > day("2100-12-31"))
        #expect(CalendarError.offsetOutOfRange(10_001).description.contains("10000"))
    }

    @Test func icoMonthArithmetic() throws {
        let ew = calendars[.englandAndWales]
        #expect(try ew.addingMonthsToWorkingDay(day("2025-09-03"), months: 1) == day("2025-10-03"))
        #expect(try ew.addingMonthsToWorkingDay(day("2025-01-31"), months: 1) == day("2025-02-28"))
        #expect(try ew.addingMonthsToWorkingDay(day("2024-01-31"), months: 1) == day("2024-02-29"))
        // 1 Apr -> 1 May, moved on when 1 May is a bank holiday (2023: early May) ...
        #expect(try ew.addingMonthsToWorkingDay(day("2023-04-01"), months: 1) == day("2023-05-02"))
        // ... or a weekend (2027-05-01 is a Saturday; Monday 3 May is the early May holiday).
        #expect(try ew.addingMonthsToWorkingDay(day("2027-04-01"), months: 1) == day("2027-05-04"))
    }

    @Test func listingHolidaysInARange() {
        let list = calendars[.scotland].holidays(in: day("2026-11-01")...day("2027-01-31"))
        #expect(list.map { "\($0.date)" } == ["2026-11-30", "2026-12-25", "2026-12-28", "2027-01-01", "2027-01-04"])
    }
}

@Suite struct CalendarRangeTests {
    @Test func inputRangeConstantsAreTheDatesTheySayTheyAre() {
        #expect(WorkingDayCalendar.firstDate.description == "1990-01-01")
        #expect(WorkingDayCalendar.lastDate.description == "2100-12-31")
    }
}
