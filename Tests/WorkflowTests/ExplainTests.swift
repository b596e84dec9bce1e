import Dates
import Deadlines
import Testing
import Workflow

/// EXPLAIN's derivation, day by day, against the worked examples, and its agreement with
/// the stored due date over thousands of generated histories.
@Suite struct ExplainTests {
    let officer = Actor(login: "asmith", role: .officer)
    let manager = Actor(login: "bkhan", role: .manager)

    func create(_ kind: RequestKind, _ received: String, parent: Bool = false) throws -> RequestRecord {
        var fields = [Field("received", received), Field("requester", "J")]
        if parent { fields.append(Field("parent", "FOI-2026-000001")) }
        if kind == .ico {
            fields.removeAll { $0.key == "requester" }
            fields += [Field("ico_ref", "IC-1"), Field("due", day(received).adding(days: 28).description)]
        }
        return try engine.create(kind: kind, fields: fields, by: officer, today: day("2028-01-01")).record
    }

    func act(
        _ record: RequestRecord, _ action: Action, _ fields: [Field] = [], by actor: Actor? = nil, today: String = "2028-01-01"
    ) throws
        -> RequestRecord
    {
        try engine.act(action, fields: fields, by: actor ?? officer, today: day(today), on: record).record
    }

    func explain(_ record: RequestRecord, today: String = "2028-01-01") throws -> Explanation {
        try engine.explain(record, today: day(today))
    }

    func line(_ explanation: Explanation, _ date: String) -> ExplainedDay? {
        explanation.days.first { $0.date == day(date) }
    }

    /// The checks every explanation passes: one line per day from receipt, the last line is
    /// the due date, counts rise by one from each (re)start, skipped days have a reason.
    func checkShape(_ e: Explanation, _ record: RequestRecord, file: String = #fileID, line: Int = #line) throws {
        let location = SourceLocation(fileID: file, filePath: file, line: line, column: 1)
        #expect(e.days.first?.date == record.received, sourceLocation: location)
        for (a, b) in zip(e.days, e.days.dropFirst()) { #expect(b.date == a.date.adding(days: 1), sourceLocation: location) }
        if let due = record.due {
            #expect(e.due == due && e.days.last?.date == due, sourceLocation: location)
            #expect(e.days.last?.notes.contains("due") == true, sourceLocation: location)
        } else {
            #expect(e.due == nil, sourceLocation: location)
        }
        var last: Int?
        let calendar = CalendarSet.rules[record.calendar]
        for d in e.days {
            if let count = d.count {
                if count != 0, let last { #expect(count == last + 1, "\(d.date)", sourceLocation: location) }
                last = count
                #expect(try calendar.isWorkingDay(d.date) || count == 0, "\(d.date) counted", sourceLocation: location)
            }
            if let skip = d.skip {
                let known = try skip.hasPrefix("clock stopped") || calendar.reason(d.date) == skip
                #expect(known, "\(d.date): \(skip)", sourceLocation: location)
                #expect(d.count == nil, sourceLocation: location)
            }
        }
    }

    @Test func plainFOIAcrossStAndrewsDay() throws {
        let r = try create(.foi, "2026-11-20")
        let e = try explain(r)
        try checkShape(e, r)
        #expect(e.days.count == 32 && e.due == day("2026-12-21"))
        #expect(line(e, "2026-11-20") == ExplainedDay(date: day("2026-11-20"), count: 0, notes: ["received"]))
        #expect(line(e, "2026-11-21")?.skip == "Saturday" && line(e, "2026-11-23")?.count == 1)
        #expect(line(e, "2026-11-30")?.skip == "St Andrew's Day")
        #expect(line(e, "2026-12-21") == ExplainedDay(date: day("2026-12-21"), count: 20, notes: ["due"]))
    }

    @Test func receivedOnASaturday() throws {
        let r = try create(.foi, "2026-03-07")
        let e = try explain(r)
        try checkShape(e, r)
        #expect(e.due == day("2026-04-08"))
        #expect(line(e, "2026-03-07")?.count == 0 && line(e, "2026-03-08")?.skip == "Sunday" && line(e, "2026-03-09")?.count == 1)
    }

    @Test func clarificationRestartsTheCount() throws {
        // CASEWORK-RULES example C.
        var r = try create(.foi, "2026-02-02")
        r = try act(r, .clarify, [Field("on", "2026-02-10")])
        r = try act(r, .clarified, [Field("on", "2026-02-24")])
        let e = try explain(r)
        try checkShape(e, r)
        #expect(r.due == day("2026-03-25") && e.due == r.due)
        #expect(line(e, "2026-02-10")?.count == 6 && line(e, "2026-02-10")?.notes == ["clarification asked"])
        #expect(line(e, "2026-02-11")?.skip == "clock stopped: awaiting clarification")
        #expect(line(e, "2026-02-24")?.count == 0)
        #expect(line(e, "2026-02-24")?.notes == ["clarification received: the count starts again"])
        #expect(line(e, "2026-03-17")?.skip == "St Patrick's Day")
    }

    @Test func aFeePeriodIsDisregardedAtBothEnds() throws {
        var r = try create(.foi, "2026-08-03")
        r = try act(r, .feeNotice, [Field("on", "2026-08-07")])
        r = try act(r, .feePaid, [Field("on", "2026-08-18")])
        #expect(r.due == day("2026-09-11"))  // 8 working days disregarded, notice day included
        let e = try explain(r)
        try checkShape(e, r)
        #expect(line(e, "2026-08-07")?.skip == "clock stopped: awaiting fee" && line(e, "2026-08-07")?.notes == ["fee notice"])
        #expect(line(e, "2026-08-18")?.skip == "clock stopped: awaiting fee" && line(e, "2026-08-18")?.notes == ["fee received"])
        #expect(line(e, "2026-08-19")?.count == 4)
        // A notice given on the day of receipt: that day is day 0 and does not count anyway;
        // the 4th and 5th are disregarded, so the due date is 22 working days after the 3rd.
        var same = try create(.foi, "2026-08-04")
        same = try act(try act(same, .feeNotice, [Field("on", "2026-08-04")]), .feePaid, [Field("on", "2026-08-06")])
        #expect(same.due == (try CalendarSet.rules[.uk].addWorkingDays(day("2026-08-04"), 22)))
        // CASEWORK-RULES example B.
        var b = try create(.foi, "2026-02-02")
        b = try act(try act(b, .feeNotice, [Field("on", "2026-02-09")]), .feePaid, [Field("on", "2026-02-20")])
        #expect(b.due == day("2026-03-16"))
    }

    @Test func sarOverChristmas() throws {
        // CASEWORK-RULES example E.
        let r = try create(.sar, "2025-11-25")
        let e = try explain(r)
        try checkShape(e, r)
        #expect(e.due == day("2025-12-29"))
        #expect(line(e, "2025-12-25")?.notes == ["one calendar month: 2025-12-25"] && line(e, "2025-12-25")?.skip == "Christmas Day")
        #expect(line(e, "2025-12-26")?.skip == "Boxing Day" && line(e, "2025-12-27")?.skip == "Saturday")
        #expect(line(e, "2025-12-29")?.notes == ["due"] && line(e, "2025-12-29")?.skip == nil)
        #expect(e.days.allSatisfy { $0.count == nil })
        // Weekends inside the month are calendar days like any other: not skipped.
        #expect(line(e, "2025-11-29")?.skip == nil)
        let extended = try act(r, .extend, [Field("reason", "complex")], by: manager, today: "2025-12-01")
        #expect(extended.due == day("2026-02-25"))
    }

    @Test func sarWithIdentityAndAnExtension() throws {
        var r = try create(.sar, "2026-11-30")
        r = try act(r, .idRequested, [Field("on", "2026-12-01")])
        r = try act(r, .idVerified, [Field("on", "2026-12-10")])
        r = try act(r, .extend, [Field("reason", "complex"), Field("on", "2026-12-20")], by: manager, today: "2026-12-22")
        #expect(r.due == day("2027-03-10"))
        let e = try explain(r)
        try checkShape(e, r)
        #expect(line(e, "2026-12-01")?.skip == "clock stopped: awaiting ID" && line(e, "2026-12-01")?.notes == ["identity asked"])
        #expect(line(e, "2026-12-09")?.skip == "clock stopped: awaiting ID")
        #expect(line(e, "2026-12-10")?.notes == ["identity verified"] && line(e, "2026-12-10")?.skip == nil)
        #expect(line(e, "2026-12-20")?.notes == ["extended by 2 months"])
        #expect(line(e, "2027-03-10")?.notes == ["three calendar months: 2027-03-10", "due"])
    }

    @Test func eirExtension() throws {
        var r = try create(.eir, "2026-11-20")
        r = try act(r, .extend, [Field("reason", "complex and voluminous"), Field("on", "2026-12-01")], by: manager, today: "2026-12-02")
        let e = try explain(r)
        try checkShape(e, r)
        #expect(e.due == day("2027-01-22") && e.days.last?.count == 40)
        #expect(line(e, "2026-12-01")?.notes == ["extended by 20 working days"])
    }

    @Test func aClockStoppedNowIsExplainedUpToToday() throws {
        var r = try create(.foi, "2026-11-20")
        r = try act(r, .clarify, [Field("on", "2026-11-25")], today: "2026-11-25")
        let e = try explain(r, today: "2026-12-01")
        try checkShape(e, r)
        #expect(e.due == nil && e.days.last?.date == day("2026-12-01"))
        #expect(line(e, "2026-11-25")?.count == 3 && line(e, "2026-11-25")?.notes == ["clarification asked"])
        #expect(line(e, "2026-11-26")?.skip == "clock stopped: awaiting clarification")
        let sar = try act(try create(.sar, "2026-11-20"), .idRequested, [Field("on", "2026-11-21")], today: "2026-11-21")
        let s = try explain(sar, today: "2026-11-24")
        #expect(s.due == nil && s.days.count == 5 && s.days[1].skip == "clock stopped: awaiting ID")
    }

    @Test func backDatedExtensionAcceptedAndALateOneRefused() throws {
        let r = try create(.foi, "2026-11-20")  // due 2026-12-21
        let fields = [Field("reason", "public interest"), Field("exemptions", "s31"), Field("days", "5")]
        let accepted = try act(r, .extend, fields + [Field("on", "2026-12-21")], by: manager, today: "2026-12-23")
        #expect(accepted.due == day("2026-12-30") && accepted.clock.extensions == [.init(on: day("2026-12-21"), amount: 5)])
        #expect(throws: WorkflowError.invalidTransition("an extension must be taken on or before the due date 2026-12-21 (on=2026-12-22)")) {
            try act(r, .extend, fields + [Field("on", "2026-12-22")], by: manager, today: "2026-12-23")
        }
        // Today is late too when no date is given; a future date is refused.
        #expect(throws: WorkflowError.self) { try act(r, .extend, fields, by: manager, today: "2026-12-23") }
        #expect(throws: WorkflowError.self) { try act(r, .extend, fields + [Field("on", "2026-12-24")], by: manager, today: "2026-12-23") }
    }

    @Test func aFOIExtensionNeedsAQualifiedExemption() throws {
        let r = try create(.foi, "2026-11-20")
        func extend(_ exemptions: String?) throws -> RequestRecord {
            var fields = [Field("reason", "public interest")]
            if let exemptions { fields.append(Field("exemptions", exemptions)) }
            return try act(r, .extend, fields, by: manager, today: "2026-12-01")
        }
        #expect(throws: WorkflowError.self) { try extend(nil) }
        for absolute in ["s21", "s23", "s32", "s40(1)", "s21, s40(1), s44", "s12"] {
            #expect(throws: WorkflowError.self, "\(absolute)") { try extend(absolute) }
        }
        #expect(throws: WorkflowError.self) { try extend("s99") }
        for qualified in ["s31", "S.31", "section 31", "s40(2), s31(1)(a)", "s22A", "s43(2)"] {
            #expect(try extend(qualified).due == day("2027-01-22"), "\(qualified)")
        }
        #expect(GroundCode.canonical("Section 31(1)(a)") == "s31(1)(a)")
        // EIR and SAR extensions need none.
        #expect(try act(try create(.eir, "2026-11-20"), .extend, [Field("reason", "r")], by: manager, today: "2026-12-01").due == day("2027-01-22"))
    }

    /// For random histories: the explanation's last date is the stored due date, the counts
    /// and skips are sound, and the due date equals an independent count with the O(1) index.
    @Test func randomHistoriesAgreeWithTheStoredDueDate() throws {
        var rng = SplitMix(seed: 20_261_123)
        var checked = 0
        for _ in 0..<3000 {
            let kind = RequestKind.allCases[Int(rng.next() % UInt64(RequestKind.allCases.count))]
            let received = day("2024-01-01").adding(days: Int(rng.next() % 900))
            var r = try create(kind, received.description, parent: !kind.parentKinds.isEmpty)
            var today = received
            for _ in 0..<Int(rng.next() % 6) {
                today = today.adding(days: Int(rng.next() % 12))
                let candidates = Action.actable.filter { action in
                    let spec = TransitionTable.spec(for: action)
                    return spec.from.contains(r.state) && spec.kinds.contains(kind)
                        && [.clarify, .clarified, .feeNotice, .feePaid, .idRequested, .idVerified, .extend, .assign].contains(action)
                }
                guard !candidates.isEmpty else { break }
                let action = candidates[Int(rng.next() % UInt64(candidates.count))]
                var fields = [Field("on", today.description)]
                switch action {
                case .assign: fields = [Field("to", "asmith")]
                case .extend:
                    fields += [Field("reason", "r")]
                    if kind == .foi { fields.append(Field("exemptions", "s31")) }
                default: break
                }
                if let next = try? engine.act(action, fields: fields, by: manager, today: today, on: r).record { r = next }
            }
            let e = try explain(r, today: today.description)
            try checkShape(e, r)
            if let due = r.due, case .workingDays(let base, _) = kind.rule {
                let calendar = CalendarSet.rules[r.calendar]
                // Working days from each notice to its payment, both included, that follow the
                // start (the day of receipt is day 0 and never counts); a day in two periods once.
                var disregardedDays: Set<CivilDate> = []
                for period in r.clock.feePeriods {
                    var date = max(period.notice, r.clock.start.adding(days: 1))
                    while date <= period.paid {
                        if try calendar.isWorkingDay(date) { disregardedDays.insert(date) }
                        date = date.adding(days: 1)
                    }
                }
                let disregarded = disregardedDays.count
                #expect(due == (try calendar.addWorkingDays(r.clock.start, base + r.clock.extensionDays + disregarded)), "\(r.clock)")
            }
            checked += 1
        }
        #expect(checked == 3000)
    }
}

/// A small seeded generator, so a failure is reproducible.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
