import Dates
import Deadlines
import Foundation
import Testing
import Workflow

@Suite struct GroundCodeTests {
    @Test func lenientSpellingsReadAsOneCode() {
        let same: [String: [String]] = [
            "s31": ["s31", "S31", "S.31", "s.31", "section 31", "Section 31", "sec. 31", "FOIA s31", "FOIA s.31", "FOI Act 2000 s31", "31", "§31"],
            "s40(2)": ["s40(2)", "S.40(2)", "s 40 (2)", "section 40(2)", "Section 40 (2)", "FOIA 2000 s.40(2)"],
            "s31(1)(a)": ["s31(1)(a)", "Section 31(1)(a)", "S.31 (1) (a)", "s31(1)(A)"],
            "s22A": ["s22A", "s22a", "section 22A"],
            "s14(1)": ["s14(1)", "S.14 (1)"],
            "r12(5)(b)": ["r12(5)(b)", "reg 12(5)(b)", "Regulation 12(5)(b)", "EIR r.12(5)(b)", "EIR 12(5)(b)", "R.12 (5) (b)"],
            "r13": ["r13", "reg. 13", "EIR regulation 13"],
            "dpa-s45(4)(b)": ["dpa-s45(4)(b)", "DPA s45(4)(b)", "DPA 2018 s.45(4)(b)", "s45(4)(b)", "Data Protection Act 2018 section 45(4)(b)"],
            "dpa-a12(5)": ["dpa-a12(5)", "UK GDPR Art 12(5)", "GDPR article 12(5)", "Art. 12(5)"],
            "dpa-sch2-p2": ["dpa-sch2-p2", "Sch 2 para 2", "DPA Schedule 2 paragraph 2", "sch2 p2"],
        ]
        for (code, spellings) in same {
            for spelling in spellings {
                #expect(GroundCode.canonical(spelling) == code, "\(spelling)")
            }
        }
        for nonsense in ["", "s", "section", "s.0", "s31(", "s31)", "s31(1)x", "personal data", "s31(law enforcement)", "r22A"] {
            #expect(GroundCode.canonical(nonsense) == nil, "\(nonsense)")
        }
    }

    @Test func theSeedTableIsComplete() throws {
        let table = SeedGrounds.table
        // FOIA s.1(3), s.12, s.14(1)/(2), s.21 to s.44 (s.40 in two), EIR r.12(4)/(5), r.13,
        // DPA s.45(4)(a)-(e), s.53, Art 12(5), Schedules 2 to 4.
        #expect(table.grounds.count == 29 + 13 + 14)
        for code in ["s12", "s14(1)", "s21", "s23", "s30", "s31", "s40(1)", "s40(2)", "s44", "r12(4)(a)", "r12(5)(g)", "r13", "dpa-s45(4)(e)"] {
            #expect(table[code] != nil, "\(code)")
        }
        for ground in table.grounds {
            // Every code is written canonically and reads back as itself, for each of its kinds.
            #expect(GroundCode.canonical(ground.code) == ground.code, "\(ground.code)")
            for kind in ground.kinds {
                #expect(try table.resolve(ground.code, kind: kind).ground == ground)
            }
            // FOIA s.2(3): only qualified FOI exemptions carry a public-interest extension.
            #expect(ground.pit == (ground.test == .qualified && ground.kinds.contains(.foi)), "\(ground.code)")
        }
        // The absolute exemptions are exactly FOIA s.2(3)'s (s.36 aside, which is qualified for a police force).
        let absolute = table.grounds(for: .foi).filter { $0.test == .absolute }.map(\.code)
        #expect(absolute == ["s21", "s23", "s32", "s34", "s40(1)", "s40(2)", "s41", "s44"])
        #expect(table.grounds(for: .complaint).isEmpty && table.grounds(for: .ico).isEmpty)
        #expect(Set(table.grounds(for: .review).map(\.code)) == Set((table.grounds(for: .foi) + table.grounds(for: .eir)).map(\.code)))
    }

    @Test func mistakesAreNamedWithTheNearestGround() {
        let table = SeedGrounds.table
        func message(_ text: String, _ kind: RequestKind) -> String {
            do {
                _ = try table.resolveList(text, kind: kind)
                return ""
            } catch { return error.description }
        }
        // A wrong-kind code: named, with the kind it is for.
        #expect(message("r12(5)(b)", .foi).contains("'r12(5)(b)' (EIR r.12(5)(b), Course of justice"))
        #expect(message("r12(5)(b)", .foi).contains("applies to eir, review requests, not foi"))
        #expect(message("s31", .sar).contains("not sar; did you mean dpa-"))
        // Unknown: the nearest code for the kind.
        #expect(message("s45", .foi).contains("did you mean s44"), "\(message("s45", .foi))")
        #expect(message("s31, s311", .foi).contains("'s311' is not a ground foiflow knows; did you mean s31 "), "\(message("s31, s311", .foi))")
        #expect(message("personal data", .foi).contains("'personal data' is not a ground code; did you mean"))
        #expect(message("r12(4)(z)", .eir).contains("did you mean r12(4)(a)"))
        // Not precise enough: both candidates offered.
        #expect(message("s40", .foi).contains("s40(1) (The requester's own personal data"))
        #expect(message("s40", .foi).contains("or s40(2) (Third-party personal data)"))
        #expect(message("s14", .foi).contains("s14(1) (Vexatious request) or s14(2)"))
        // A finer citation of a ground is that ground, kept as written.
        #expect((try? table.resolve("S.31 (1)(a)", kind: .foi))?.ground.code == "s31")
        #expect((try? table.resolve("S.31 (1)(a)", kind: .foi))?.cited == "s31(1)(a)")
        #expect((try? table.resolveList("s31, S.31, section 31(2)", kind: .foi))?.count == 1)
    }
}

@Suite struct ResponseGroundsTests {
    let officer = Actor(login: "asmith", role: .officer)
    let manager = Actor(login: "bkhan", role: .manager)

    func open(_ kind: RequestKind, parent: String? = nil) throws -> RequestRecord {
        var fields = [Field("received", "2026-11-02"), Field("requester", "J")]
        if let parent { fields.append(Field("parent", parent)) }
        return try engine.create(kind: kind, fields: fields, by: officer, today: day("2026-12-01")).record
    }

    func respond(_ record: RequestRecord, _ fields: [Field]) throws -> (record: RequestRecord, event: EventDraft) {
        try engine.act(.respond, fields: fields, by: officer, today: day("2026-12-01"), on: record)
    }

    @Test func refusalsNeedAGroundAndNCNDAProvisionForIt() throws {
        let foi = try open(.foi)
        for outcome in ["refused", "partial", "ncnd"] {
            #expect(throws: WorkflowError.self, "\(outcome)") { try respond(foi, [Field("outcome", outcome)]) }
            #expect(throws: WorkflowError.self, "\(outcome)") { try respond(foi, [Field("outcome", outcome), Field("exemptions", " ")]) }
        }
        // s.21 has no neither-confirm-nor-deny provision; s.31(3) does.
        #expect(throws: WorkflowError.self) { try respond(foi, [Field("outcome", "ncnd"), Field("exemptions", "s21")]) }
        let ncnd = try respond(foi, [Field("outcome", "ncnd"), Field("exemptions", "section 31, s21")])
        #expect(ncnd.record.exemptions == "s31, s21")
        #expect(ncnd.event.grounds.map(\.ground.code) == ["s31", "s21"])
        #expect(ncnd.event.fields.contains(Field("exemptions", "s31, s21")))
        #expect(throws: WorkflowError.self) { try respond(foi, [Field("outcome", "granted"), Field("exemptions", "s31")]) }
        #expect(try respond(foi, [Field("outcome", "not-held")]).record.exemptions == nil)
        // The wrong regime's code on a FOI.
        #expect(throws: WorkflowError.self) { try respond(foi, [Field("outcome", "refused"), Field("exemptions", "r12(5)(b)")]) }
        let eir = try open(.eir)
        #expect(try respond(eir, [Field("outcome", "refused"), Field("exemptions", "reg 12(5)(b)")]).record.exemptions == "r12(5)(b)")
        let sar = try open(.sar)
        #expect(try respond(sar, [Field("outcome", "partial"), Field("exemptions", "DPA s.45(4)(b)")]).record.exemptions == "dpa-s45(4)(b)")
    }

    @Test func anAbsoluteOnlyFOIExtensionIsRefused() throws {
        let foi = try open(.foi)
        func extend(_ exemptions: String) throws -> EventDraft {
            try engine.act(
                .extend, fields: [Field("reason", "public interest"), Field("exemptions", exemptions)], by: manager,
                today: day("2026-11-20"), on: foi
            ).event
        }
        #expect(throws: WorkflowError.self) { try extend("s40(2)") }
        #expect(throws: WorkflowError.self) { try extend("s21, s23, s12") }
        let event = try extend("s40(2), S.31")
        #expect(event.grounds.map(\.cited) == ["s40(2)", "s31"])
        #expect(event.fields.contains(Field("exemptions", "s40(2), s31")))
        // An EIR extension needs none, but what it names is still checked.
        let eir = try open(.eir)
        #expect(throws: WorkflowError.self) {
            try engine.act(
                .extend, fields: [Field("reason", "complex"), Field("exemptions", "s31")], by: manager, today: day("2026-11-20"), on: eir)
        }
    }

    @Test func reviewsAreAnsweredUpheldOrOverturnedAndLeaveATrail() throws {
        let review = try open(.review, parent: "EIR-2026-000004")
        #expect(throws: WorkflowError.self) { try respond(review, [Field("outcome", "granted")]) }
        #expect(throws: WorkflowError.self) { try respond(review, [Field("outcome", "overturned")]) }
        let upheld = try respond(review, [Field("outcome", "upheld")])
        #expect(upheld.record.outcome == .upheld && upheld.record.state == .responded)
        #expect(upheld.event.trail == EventDraft.Trail(action: .reviewOutcome, fields: [Field("outcome", "upheld")]))
        let overturned = try respond(review, [Field("outcome", "overturned"), Field("reason", "missed searches")])
        #expect(overturned.event.trail?.fields == [Field("outcome", "overturned"), Field("reason", "missed searches")])
        // A review cites its parent's regime: EIR codes for an EIR parent.
        #expect(try respond(review, [Field("outcome", "upheld-in-part"), Field("exemptions", "r13")]).record.exemptions == "r13")
        #expect(throws: WorkflowError.self) { try respond(review, [Field("outcome", "upheld-in-part"), Field("exemptions", "s40(2)")]) }
        // Nobody records the trail by hand.
        #expect(throws: WorkflowError.self) {
            try engine.act(
                .reviewOutcome, fields: [Field("ref", "REV-2026-000001"), Field("outcome", "upheld")], by: admin, today: today, on: review)
        }
    }

    @Test func aLateReviewIsAcceptedWithAFlag() throws {
        func review(received: String, respondedOn: String?) throws -> RequestDetails {
            try engine.create(
                kind: .review, fields: [Field("received", received), Field("requester", "J"), Field("parent", "FOI-2026-000001")],
                by: officer, today: day("2026-12-31"),
                parent: ParentFacts(kind: .foi, state: .responded, respondedOn: respondedOn.map(day))
            ).details
        }
        // Responded Mon 2 Mar 2026: the 40th working day after is Thu 30 Apr (Good Friday,
        // Easter Monday skipped; 17 Mar is a working day on... no: St Patrick's Day is not).
        let fortieth = try CalendarSet.rules[.uk].addWorkingDays(day("2026-03-02"), 40)
        #expect(try review(received: fortieth.description, respondedOn: "2026-03-02").requestedLate == false)
        #expect(try review(received: fortieth.adding(days: 1).description, respondedOn: "2026-03-02").requestedLate == true)
        #expect(try review(received: "2026-11-30", respondedOn: nil).requestedLate == false)
        // The parent must be of a kind it may review.
        #expect(throws: WorkflowError.self) {
            try engine.create(
                kind: .review, fields: [Field("received", "2026-11-30"), Field("requester", "J"), Field("parent", "FOI-2026-000001")],
                by: officer, today: day("2026-12-31"), parent: ParentFacts(kind: .sar, state: .responded, respondedOn: nil))
        }
    }
}

@Suite struct ICOCaseTests {
    let officer = Actor(login: "asmith", role: .officer)

    func act(_ record: RequestRecord, _ action: Action, _ fields: [Field], today: String = "2026-12-31") throws -> (RequestRecord, EventDraft) {
        let (next, event) = try engine.act(action, fields: fields, by: officer, today: day(today), on: record)
        return (next, event)
    }

    func notified() throws -> RequestRecord {
        try engine.create(
            kind: .ico,
            fields: [
                Field("received", "2026-01-12"), Field("parent", "FOI-2025-000090"), Field("ico_ref", "IC-401234-X9Z8"), Field("due", "2026-02-09"),
            ],
            by: officer, today: day("2026-01-12")
        ).record
    }

    /// CASEWORK-RULES 3.3: a decision notice of Tue 3 Mar 2026: appeal by Tue 31 Mar, steps due Tue 7 Apr.
    @Test func fromNotificationToCompliance() throws {
        var r = try notified()
        #expect(r.state == .received && r.due == day("2026-02-09") && r.maxDue == day("2026-02-09"))
        var event: EventDraft
        (r, event) = try act(r, .submitted, [Field("on", "2026-02-06")])
        #expect(r.state == .withICO && r.due == nil && event.trail == nil)
        (r, event) = try act(
            r, .decision, [Field("on", "2026-03-03"), Field("outcome", "upheld"), Field("steps", "disclose the list"), Field("dn_ref", "IC-401234")])
        #expect(r.state == .stepsDue && r.due == day("2026-04-07") && r.appealBy == day("2026-03-31"))
        #expect(event.trail?.action == .icoOutcome)
        #expect(event.trail?.fields.contains(Field("appeal_by", "2026-03-31")) == true)
        #expect(event.trail?.fields.contains(Field("steps_due", "2026-04-07")) == true)
        // An appeal after the window is refused; within it, the steps wait.
        #expect(throws: WorkflowError.self) { try act(r, .appealed, [Field("on", "2026-04-01"), Field("by", "authority")]) }
        (r, event) = try act(r, .appealed, [Field("on", "2026-03-30"), Field("by", "authority")])
        #expect(r.state == .atTribunal && r.due == nil && r.appealBy == day("2026-03-31"))
        // The tribunal dismisses the appeal and the steps stand, due 35 days after its decision.
        (r, event) = try act(r, .tribunal, [Field("on", "2026-09-15"), Field("outcome", "dismissed"), Field("steps", "disclose the list")])
        #expect(r.state == .stepsDue && r.due == day("2026-10-20"))
        #expect(event.trail?.fields.contains(Field("outcome", "dismissed")) == true)
        let explained = try engine.explain(r, today: day("2026-09-20"))
        #expect(explained.due == day("2026-10-20") && explained.days.last?.notes == ["tribunal decision + 35 calendar days", "due"])
        #expect(explained.days.first(where: { $0.date == day("2026-09-15") })?.notes == ["tribunal decision"])
        (r, event) = try act(r, .complied, [Field("on", "2026-10-19")])
        #expect(r.state == .closed && r.due == nil && event.trail?.fields == [Field("step", "complied")])
    }

    @Test func aDecisionWithoutStepsAndWhatAnICOCaseCannotDo() throws {
        let r = try notified()
        let (decided, _) = try act(r, .decision, [Field("on", "2026-03-03"), Field("outcome", "not-upheld")])
        #expect(decided.state == .decided && decided.due == nil && decided.appealBy == day("2026-03-31") && !decided.state.isOpen)
        // The requester may still appeal; or it is closed.
        #expect(try act(decided, .appealed, [Field("on", "2026-03-20"), Field("by", "requester")]).0.state == .atTribunal)
        #expect(try act(decided, .close, []).0.state == .closed)
        for (action, fields) in [(Action.respond, [Field("outcome", "granted")]), (.clarify, []), (.submit, []), (.reopen, [])] {
            #expect(throws: WorkflowError.self, "\(action)") { try act(r, action, fields) }
        }
        #expect(throws: WorkflowError.self) { try act(r, .decision, [Field("on", "2026-03-03"), Field("outcome", "won")]) }
        #expect(throws: WorkflowError.self) { try act(r, .decision, [Field("on", "2026-01-11"), Field("outcome", "upheld")]) }
        #expect(throws: WorkflowError.self) { try act(r, .appealed, [Field("by", "authority")]) }
        // CREATE ico needs its reference and the date the ICO set; DEADLINE has nothing to derive.
        #expect(throws: WorkflowError.self) {
            try engine.create(
                kind: .ico, fields: [Field("received", "2026-01-12"), Field("parent", "FOI-2025-000090"), Field("due", "2026-02-09")], by: officer,
                today: day("2026-01-12"))
        }
        #expect(throws: WorkflowError.self) {
            try engine.create(
                kind: .ico,
                fields: [Field("received", "2026-01-12"), Field("parent", "FOI-2025-000090"), Field("ico_ref", "X"), Field("due", "2026-01-11")],
                by: officer, today: day("2026-01-12"))
        }
        #expect(throws: CalendarError.self) { try DeadlineCalculator(calendars: .rules).deadline(kind: .ico, start: day("2026-01-12")) }
    }
}

/// The refusal grounds as migration 0014 seeds them, read from the migration itself so the
/// pure tests check the table the database gets (no copy to drift).
enum SeedGrounds {
    static let table: GroundsTable = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let sql = (try? String(contentsOf: root.appendingPathComponent("sql/0014_grounds_reviews_ico.sql"), encoding: .utf8)) ?? ""
        return GroundsTable(sql.split(separator: "\n").compactMap { parse(String($0)) })
    }()

    /// One `(position, 'code', 'citation', 'title', '{kinds}', 'test', pit, ncnd),` line.
    static func parse(_ line: String) -> RefusalGround? {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("("), trimmed.first(where: { !$0.isNumber && $0 != "(" }) == "," else { return nil }
        var strings: [String] = [], rest = Substring(trimmed)
        while let open = rest.firstIndex(of: "'") {
            var value = "", index = rest.index(after: open)
            while index < rest.endIndex {
                if rest[index] == "'" {
                    let next = rest.index(after: index)
                    if next < rest.endIndex, rest[next] == "'" {
                        value.append("'")
                        index = rest.index(after: next)
                        continue
                    }
                    break
                }
                value.append(rest[index])
                index = rest.index(after: index)
            }
            strings.append(value)
            rest = rest[rest.index(after: min(index, rest.index(before: rest.endIndex)))...]
        }
        let booleans = trimmed.split(separator: ",").suffix(2).map { $0.contains("true") }
        guard strings.count == 5, let test = GroundTest(rawValue: strings[4]) else { return nil }
        let kinds = strings[3].trimmingCharacters(in: CharacterSet(charactersIn: "{}")).split(separator: ",").compactMap {
            RequestKind(rawValue: String($0))
        }
        return RefusalGround(
            code: strings[0], citation: strings[1], title: strings[2], kinds: Set(kinds), test: test, pit: booleans[0], ncnd: booleans[1])
    }
}
