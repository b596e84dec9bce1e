import Dates
import Deadlines
import Testing

@Suite struct DeadlineCalculatorTests {
    let calculator = DeadlineCalculator()

    @Test func foiIsTheTwentiethWorkingDayOnTheUKCalendar() throws {
        // 2026-11-20 (Fri): St Andrew's Day (Mon 30 Nov, Scotland) is skipped under s.10(6).
        let deadline = try calculator.deadline(kind: .foi, start: day("2026-11-20"))
        #expect(deadline.due == day("2026-12-21"))
        #expect(deadline.maxDue == day("2027-01-22"))
        // On the England and Wales calendar alone the 30th counts, so it would be a day earlier.
        #expect(try calculator.deadline(kind: .foi, start: day("2026-11-20"), calendar: .englandAndWales).due == day("2026-12-18"))
    }

    /// "Easy as 1-2-3": St Patrick's Day 2014 is not a working day for an English authority.
    @Test func stPatricksDayStopsAnEnglishFOIClock() throws {
        let due = try calculator.deadline(kind: .foi, start: day("2014-03-03")).due
        let ewDue = try calculator.deadline(kind: .foi, start: day("2014-03-03"), calendar: .englandAndWales).due
        #expect(due == day("2014-04-01"))
        #expect(ewDue == day("2014-03-31"))
    }

    @Test func eirAndReviewExtendToFortyWorkingDays() throws {
        let calendar = calculator.calendars[.uk]
        for kind in [RequestKind.eir, .review] {
            let deadline = try calculator.deadline(kind: kind, start: day("2026-03-02"))
            #expect(try calendar.workingDaysBetween(day("2026-03-02"), deadline.due) == 20)
            #expect(try calendar.workingDaysBetween(day("2026-03-02"), deadline.maxDue) == 40)
        }
    }

    @Test func complaintHasNoExtension() throws {
        let deadline = try calculator.deadline(kind: .complaint, start: day("2026-12-18"))
        // 10 working days in England and Wales over Christmas: 21,22,23,24, 29,30,31, 4,5,6 Jan.
        #expect(deadline.due == day("2027-01-06"))
        #expect(deadline.maxDue == deadline.due)
    }

    @Test func sarIsOneCalendarMonthRolledToAWorkingDay() throws {
        #expect(try calculator.deadline(kind: .sar, start: day("2025-09-03")).due == day("2025-10-03"))
        #expect(try calculator.deadline(kind: .sar, start: day("2025-01-31")).due == day("2025-02-28"))
        #expect(try calculator.deadline(kind: .sar, start: day("2024-01-31")).due == day("2024-02-29"))
        // Received on a Saturday: day one is the day of receipt.
        #expect(try calculator.deadline(kind: .sar, start: day("2026-10-31")).due == day("2026-11-30"))
        // Extended: three months from the start (not two added to the rolled date), clamped, rolled.
        let extended = try calculator.deadline(kind: .sar, start: day("2026-11-30"))
        #expect(extended.due == day("2026-12-30"))
        #expect(extended.maxDue == day("2027-03-01"))  // 28 Feb 2027 is a Sunday
    }

    @Test func aScottishAuthorityAnswersFOIOnTheScottishCalendar() throws {
        let scottish = DeadlineCalculator(authority: Authority(homeDivision: .scotland))
        #expect(scottish.authority.defaultCalendar(for: .foi) == .scotland)
        #expect(scottish.authority.defaultCalendar(for: .sar) == .scotland)
        #expect(Authority().defaultCalendar(for: .foi) == .uk)
        #expect(Authority().defaultCalendar(for: .complaint) == .englandAndWales)
        // Easter Monday 2026 counts as a working day under FOISA.
        let scot = try scottish.deadline(kind: .foi, start: day("2026-03-27")).due
        let uk = try calculator.deadline(kind: .foi, start: day("2026-03-27")).due
        #expect(scot < uk)
    }

    @Test func badInputIsAClearError() {
        #expect(throws: CalendarError.dateOutOfRange(day("1989-06-01"))) { try calculator.deadline(kind: .foi, start: day("1989-06-01")) }
        #expect(throws: CalendarError.self) { try calculator.deadline(kind: .sar, start: day("2101-01-01")) }
        #expect(RequestKind(name: "FOI") == .foi)
        #expect(RequestKind(name: "parking") == nil)
    }
}

/// Issue 27, item 7: a data-protection complaint is acknowledged within 30 calendar days counted
/// from the day after receipt, an end on a weekend or bank holiday moved to the next working
/// day (CASEWORK-RULES 9, the ICO's examples).
@Suite struct DataProtectionComplaintDeadlineTests {
    let calculator = DeadlineCalculator()

    @Test func thirtyDaysFromTheDayAfterMovedOffNonWorkingDays() throws {
        // Wed 1 July: day 30 is Fri 31 July.
        #expect(try calculator.deadline(kind: .dpc, start: day("2026-07-01"), calendar: .englandAndWales).due == day("2026-07-31"))
        // Fri 2 October: day 30 is Sun 1 November, so Mon 2 November.
        #expect(try calculator.deadline(kind: .dpc, start: day("2026-10-02"), calendar: .englandAndWales).due == day("2026-11-02"))
        // Wed 25 November: day 30 is Christmas Day; 26 and 27 are the weekend, Mon 28 the Boxing
        // Day substitute: Tue 29 December.
        #expect(try calculator.deadline(kind: .dpc, start: day("2026-11-25"), calendar: .englandAndWales).due == day("2026-12-29"))
        // Nothing to extend.
        #expect(RequestKind.dpc.rule.maxExtension == 0 && RequestKind.dpc.referencePrefix == "DPC")
    }

    @Test func anAcknowledgementEndsTheClockWithTheDateItSets() throws {
        var clock = StatutoryClock(received: day("2026-11-25"))
        let calendar = CalendarSet.rules[.englandAndWales]
        #expect(try clock.deadline(rule: RequestKind.dpc.rule, calendar: calendar)?.due == day("2026-12-29"))
        clock.setDate = .init(on: day("2026-11-30"), event: "acknowledged", due: nil, basis: "acknowledged")
        #expect(try clock.deadline(rule: RequestKind.dpc.rule, calendar: calendar) == nil)
        clock.setDate?.due = day("2027-01-20")
        #expect(try clock.deadline(rule: RequestKind.dpc.rule, calendar: calendar)?.due == day("2027-01-20"))
        let explained = try clock.explain(rule: RequestKind.dpc.rule, calendar: calendar, received: day("2026-11-25"), today: day("2026-12-01"))
        #expect(explained.due == day("2027-01-20") && explained.days.last?.date == day("2027-01-20"))
    }
}
