import Dates
import Deadlines
import Testing
import Workflow

/// The s.12 arithmetic and the 60-working-day window (CASEWORK-RULES 8.1), by hand-counted cases.
@Suite struct CostLimitTests {
    @Test func hoursAreQuartersAndPoundsAreTwentyFiveAnHour() {
        #expect(CostLimit.quarters("18") == 72 && CostLimit.quarters("0.25") == 1 && CostLimit.quarters("7.5") == 30)
        #expect(CostLimit.quarters("2.75") == 11 && CostLimit.quarters("3.50") == 14)
        for bad in ["0", "0.0", "-1", "+2", "0.3", "1.125", "x", "", ".5", "1.", "1000.25", "1e3"] {
            #expect(CostLimit.quarters(bad) == nil, "\(bad)")
        }
        #expect(CostLimit.hours(quarters: 30) == "7.5" && CostLimit.hours(quarters: 72) == "18" && CostLimit.hours(quarters: 1) == "0.25")
        #expect(CostLimit.pounds(quarters: 72) == "450" && CostLimit.pounds(quarters: 1) == "6.25" && CostLimit.pounds(quarters: 78) == "487.50")
    }

    /// A request received Thu 2026-12-10 opens the window; on `uk` day 60 is Tue 2027-03-09
    /// (25 and 28 December, 1 and 4 January do not count); on `england-and-wales` (4 January
    /// counts) it is Mon 2027-03-08.
    @Test func theWindowIsSixtyConsecutiveWorkingDays() throws {
        let uk = try AggregationWindow(earliest: day("2026-12-10"), calendar: CalendarSet.rules[.uk])
        #expect(uk.from == day("2026-12-10") && uk.to == day("2027-03-09"))
        #expect(uk.contains(day("2027-03-09")) && !uk.contains(day("2027-03-10")))
        let ew = try AggregationWindow(earliest: day("2026-12-10"), calendar: CalendarSet.rules[.englandAndWales])
        #expect(ew.to == day("2027-03-08"))
        // Mon 2026-06-01 on england-and-wales: June 22 working days, July 23, then the 15th of
        // August (the 31st is the summer bank holiday) is Fri 2026-08-21.
        #expect(try AggregationWindow(earliest: day("2026-06-01"), calendar: CalendarSet.rules[.englandAndWales]).to == day("2026-08-21"))
        // Received on a Saturday: the window opens on the Monday.
        let weekend = try AggregationWindow(earliest: day("2026-05-30"), calendar: CalendarSet.rules[.englandAndWales])
        #expect(weekend.from == day("2026-06-01") && weekend.to == day("2026-08-21"))
    }
}
