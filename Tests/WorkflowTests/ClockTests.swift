import Dates
import Deadlines
import Testing
import Workflow

/// Due dates after each clock action, against dates worked out by hand on the
/// 2026/27 calendars (uk for FOI/EIR/review, England and Wales for SAR/complaint).
@Suite struct ClockTests {
    let officer = Actor(login: "asmith", role: .officer)
    let manager = Actor(login: "bkhan", role: .manager)

    func create(_ kind: RequestKind, _ received: String, today: String = "2026-12-01") throws -> RequestRecord {
        try engine.create(kind: kind, fields: [Field("received", received), Field("requester", "J")], by: officer, today: day(today)).record
    }

    func act(
        _ record: RequestRecord, _ action: Action, _ fields: [Field] = [], by actor: Actor? = nil, today: String = "2027-01-31"
    ) throws -> RequestRecord {
        try engine.act(action, fields: fields, by: actor ?? officer, today: day(today), on: record).record
    }

    @Test func foiBaseline() throws {
        // Fri 20 Nov 2026; St Andrew's Day (Mon 30 Nov) is skipped on the uk calendar.
        let r = try create(.foi, "2026-11-20")
        #expect(r.due == day("2026-12-21") && r.maxDue == day("2027-01-22"))
        // Received on the Saturday: day 1 is still Monday 23rd.
        #expect(try create(.foi, "2026-11-21").due == day("2026-12-21"))
        // Received on St Andrew's Day itself (not a working day): day 1 is Tue 1 Dec; 20th is 30 Dec.
        #expect(try create(.foi, "2026-11-30").due == day("2026-12-30"))
    }

    @Test func foiClarificationRestartsTheClock() throws {
        var r = try create(.foi, "2026-11-20")
        r = try act(r, .clarify, [Field("on", "2026-11-25")])
        #expect(r.state == .awaitingClarification && r.due == nil && r.maxDue == nil)
        r = try act(r, .clarified, [Field("on", "2026-12-01")])
        // 20 working days from Tue 1 Dec: Dec 2-4, 7-11, 14-18, 21-24, 29-31 (25 and 28 are holidays).
        #expect(r.state == .inProgress && r.due == day("2026-12-31"))
        #expect(throws: WorkflowError.self) { try act(try act(r, .clarify, [Field("on", "2026-12-02")]), .clarified, [Field("on", "2026-12-01")]) }
    }

    @Test func foiFeeDaysAreDisregarded() throws {
        var r = try create(.foi, "2026-11-20")
        r = try act(r, .feeNotice, [Field("on", "2026-11-25")])
        #expect(r.due == nil)
        r = try act(r, .feePaid, [Field("on", "2026-12-02")])
        // FOIA s.10(2): the working days from the notice to the payment, both ends included:
        // 25, 26, 27 Nov, 1, 2 Dec (30 Nov is St Andrew's) = 5.
        #expect(r.due == day("2026-12-30"))
        #expect(r.maxDue == day("2027-01-29"))
    }

    @Test func foiPublicInterestExtension() throws {
        var r = try create(.foi, "2026-11-20")
        r = try act(r, .extend, [Field("reason", "s.10(3)"), Field("exemptions", "s31"), Field("days", "5")], by: manager, today: "2026-12-10")
        #expect(r.due == day("2026-12-30"))  // after the 21st: 22, 23, 24, 29, 30 (25 and 28 are holidays)
        r = try act(r, .extend, [Field("reason", "more"), Field("exemptions", "s31"), Field("days", "15")], by: manager, today: "2026-12-10")
        #expect(r.due == day("2027-01-22") && r.due == r.maxDue)
        #expect(throws: WorkflowError.invalidTransition("this request already has the full 20-working-day extension")) {
            try act(r, .extend, [Field("reason", "again"), Field("exemptions", "s31")], by: manager, today: "2026-12-10")
        }
    }

    @Test func eirAndReviewExtendToForty() throws {
        for kind in [RequestKind.eir, .review] {
            var r = try engine.create(
                kind: kind,
                fields: [Field("received", "2026-11-20"), Field("requester", "J")] + (kind == .review ? [Field("parent", "FOI-2026-000001")] : []),
                by: officer, today: day("2026-12-01")
            ).record
            #expect(r.due == day("2026-12-21"))
            r = try act(r, .extend, [Field("reason", "complex and voluminous")], by: manager, today: "2026-12-21")
            #expect(r.due == day("2027-01-22"))
        }
    }

    @Test func sarMonthAndItsRollForward() throws {
        #expect(try create(.sar, "2026-11-30").due == day("2026-12-30"))
        // A month ending on a bank holiday: 25 May 2026 is the spring bank holiday.
        #expect(try create(.sar, "2026-04-25").due == day("2026-05-26"))
        // Ending on Christmas Day: 26-27 are a weekend, 28 the Boxing Day substitute.
        #expect(try create(.sar, "2026-11-25").due == day("2026-12-29"))
        // 31 January: the last day of February (a Friday in 2025), 29 February in a leap year...
        func sar(_ received: String, today: String) throws -> CivilDate? {
            try engine.create(kind: .sar, fields: [Field("received", received), Field("requester", "J")], by: officer, today: day(today)).record.due
        }
        #expect(try sar("2025-01-31", today: "2025-02-01") == day("2025-02-28"))
        #expect(try sar("2024-01-31", today: "2024-02-01") == day("2024-02-29"))
        // ...and rolled on when that is a weekend: 28 Feb 2026 is a Saturday.
        #expect(try sar("2026-01-31", today: "2026-02-01") == day("2026-03-02"))
    }

    @Test func sarIdentityAndFeeMoveTheStart() throws {
        var r = try create(.sar, "2026-11-30")
        r = try act(r, .idRequested, [Field("on", "2026-12-01")])
        #expect(r.state == .awaitingID && r.due == nil)
        r = try act(r, .idVerified, [Field("on", "2026-12-10")])
        #expect(r.due == day("2027-01-11"))  // 10 Jan 2027 is a Sunday
        var f = try create(.sar, "2026-11-30")
        f = try act(try act(f, .feeNotice, [Field("on", "2026-12-01")]), .feePaid, [Field("on", "2026-12-07")])
        #expect(f.due == day("2027-01-07"))
    }

    @Test func sarClarificationPausedDaysDoNotCount() throws {
        var r = try create(.sar, "2026-11-30")
        r = try act(try act(r, .clarify, [Field("on", "2026-12-01")]), .clarified, [Field("on", "2026-12-11")])
        // 30 Dec + 10 paused days = Sat 9 Jan 2027, rolled to Monday 11.
        #expect(r.due == day("2027-01-11"))
    }

    @Test func sarExtensionIsThreeMonthsFromTheStart() throws {
        var r = try create(.sar, "2026-11-30")
        r = try act(r, .extend, [Field("reason", "complex")], by: manager, today: "2026-12-10")
        #expect(r.due == day("2027-03-01"))  // 28 Feb 2027 is a Sunday
        #expect(r.clock.extensionMonths == 2)
    }

    @Test func complaintTenWorkingDaysAndClarification() throws {
        var r = try create(.complaint, "2026-12-18", today: "2026-12-18")
        #expect(r.due == day("2027-01-06") && r.maxDue == r.due)
        r = try act(try act(r, .clarify, [Field("on", "2026-12-21")]), .clarified, [Field("on", "2027-01-04")])
        #expect(r.due == day("2027-01-18"))
    }

    @Test func defaultOnIsTodayAndIsRecorded() throws {
        let r = try create(.foi, "2026-11-20")
        let (after, event) = try engine.act(.clarify, fields: [], by: officer, today: day("2026-11-26"), on: r)
        #expect(after.clock.pausedSince == day("2026-11-26"))
        #expect(event.fields == [Field("on", "2026-11-26")])
    }

    @Test func recalculationFollowsTheCalendar() throws {
        let r = try create(.foi, "2026-11-20")
        var holidays = CalendarSet.rules.holidays
        holidays.append(Holiday(date: day("2026-12-03"), division: .englandAndWales, title: "Proclaimed"))
        let moved = try WorkflowEngine(calendars: CalendarSet(holidays: holidays)).recalculated(r)
        #expect(moved?.due == day("2026-12-22"))
        #expect(try engine.recalculated(r) == nil)
    }
}
