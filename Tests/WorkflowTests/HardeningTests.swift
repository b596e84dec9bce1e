import Dates
import Deadlines
import Testing
import Workflow

/// Issue 17: a reopened request keeps its clock; hostile text is refused at the door.
@Suite struct ReopenKeepsTheClockTests {
    let manager = Actor(login: "bkhan", role: .manager)
    let system = Actor(login: "system", role: .system)

    /// Every kind x every way its clock stops x every way it ends x reopen: no open request
    /// is left without either a due date or a stopped clock that its answer restarts.
    @Test func everyStopEndAndReopen() throws {
        let stops: [(Action, Action)] = [(.clarify, .clarified), (.feeNotice, .feePaid), (.idRequested, .idVerified)]
        var checked = 0
        for kind in RequestKind.allCases where kind.rule != .setByOthers {
            var fields = [Field("received", "2026-10-01"), Field("requester", "J")]
            if !kind.parentKinds.isEmpty { fields.append(Field("parent", "FOI-2026-000001")) }
            let created = try engine.create(kind: kind, fields: fields, by: manager, today: day("2026-10-01")).record
            for (stop, restart) in stops where TransitionTable.spec(for: stop).kinds.contains(kind) {
                let stopped = try engine.act(stop, fields: [Field("on", "2026-10-05")], by: manager, today: day("2026-10-05"), on: created).record
                #expect(stopped.due == nil && stopped.state.isPaused)
                let enders: [(Action, [Field], Actor)] = [
                    (.withdraw, [], manager), (.transfer, [Field("to", "Another force")], manager), (.lapse, [], system),
                ]
                for (end, endFields, actor) in enders where TransitionTable.spec(for: end).from.contains(stopped.state) {
                    let ended = try engine.act(end, fields: endFields, by: actor, today: day("2026-10-20"), on: stopped).record
                    let reopened = try engine.act(.reopen, fields: [], by: manager, today: day("2026-10-21"), on: ended).record
                    #expect(reopened.state.isOpen)
                    // Either running with a due date, or waiting with a clock its answer restarts.
                    #expect(
                        (reopened.due != nil && !reopened.clock.isStopped) || (reopened.clock.isStopped && reopened.state.isPaused),
                        "\(kind) \(stop) \(end): \(reopened.state) due \(String(describing: reopened.due))")
                    let answered = try engine.act(
                        restart, fields: [Field("on", "2026-10-22")], by: manager, today: day("2026-10-22"), on: reopened
                    ).record
                    #expect(answered.due != nil && answered.state == .inProgress, "\(kind) \(stop) \(end)")
                    checked += 1
                }
            }
            // A running clock reopens running, with its due date.
            let answered = try engine.act(
                .respond, fields: [Field("outcome", Outcome.allowed(for: kind)[0].rawValue)], by: manager,
                today: day("2026-10-10"), on: created
            ).record
            let reopened = try engine.act(.reopen, fields: [], by: manager, today: day("2026-10-21"), on: answered).record
            #expect(reopened.state == .inProgress && reopened.due == created.due)
        }
        #expect(checked >= 14)
    }
}

@Suite struct HostileTextTests {
    @Test func controlCharactersAreRefusedNewlinesAndTabsKept() throws {
        for bad in ["A\u{1B}]0;pwned\u{07}", "A\u{0}B", "A\rB", "A\u{7F}", "A\u{85}B", "A\u{2028}B", "A\u{2029}B", "A\u{9B}31m"] {
            #expect(throws: WorkflowError.self, "\(bad.unicodeScalars.map { $0.value })") {
                try engine.create(kind: .foi, fields: [Field("received", "2026-11-20"), Field("requester", bad)], by: admin, today: today)
            }
        }
        let fine = try engine.create(
            kind: .foi, fields: [Field("received", "2026-11-20"), Field("requester", "J"), Field("subject", "Line one\nline two\ttabbed, ÉÑ 😀")],
            by: admin, today: today)
        #expect(fine.details.personal.subject == "Line one\nline two\ttabbed, ÉÑ 😀")
        #expect(HostileText.firstForbidden(in: "ok\n\t") == nil && HostileText.name("\u{1B}") == "U+001B")
    }
}

/// Issue 24, item 4: an approval binds the outcome and grounds put up for it.
@Suite struct ApprovalBindsTests {
    let engine = WorkflowEngine(calendars: CalendarSet(holidays: []), grounds: SeedGrounds.table)
    let officer = Actor(login: "asmith", role: .officer)
    let manager = Actor(login: "bkhan", role: .manager)
    let today = CivilDate(year: 2026, month: 12, clampingDay: 1)

    func approved(_ proposal: [Field]) throws -> RequestRecord {
        var (record, _, _) = try engine.create(
            kind: .foi, fields: [Field("received", "2026-11-20"), Field("requester", "R")], by: officer, today: today)
        for (action, fields, actor) in [(Action.assign, [Field("to", "asmith")], officer), (.submit, proposal, officer), (.approve, [], manager)] {
            record = try engine.act(action, fields: fields, by: actor, today: today, on: record).record
        }
        return record
    }

    @Test func onlyTheApprovedResponseGoesOut() throws {
        let record = try approved([Field("outcome", "partial"), Field("exemptions", "s40(2), s31")])
        #expect(record.proposedOutcome == .partial && record.proposedExemptions == "s31, s40(2)")
        let policy: Set<Outcome> = [.refused, .partial, .ncnd]
        func respond(_ outcome: String, _ grounds: String) throws(WorkflowError) -> RequestRecord {
            try engine.act(
                .respond, fields: [Field("outcome", outcome), Field("exemptions", grounds)], by: officer, today: today, on: record,
                requireApproval: policy
            ).record
        }
        #expect(throws: WorkflowError.self) { try respond("ncnd", "s23") }
        #expect(throws: WorkflowError.self) { try respond("partial", "s31") }
        #expect(throws: WorkflowError.self) { try respond("refused", "s31, s40(2)") }
        #expect(try respond("partial", "S.31, section 40(2)").state == .responded)
        // Without the policy, nothing is bound.
        #expect(
            try engine.act(.respond, fields: [Field("outcome", "refused"), Field("exemptions", "s23")], by: officer, today: today, on: record)
                .record.state == .responded)
    }
}

/// Issue 25: whether a field is a number is said by whoever makes it, never guessed from its key.
@Suite struct FieldTypeTests {
    @Test func aNumberIsSaidNotGuessed() {
        #expect(Field.number("version", 3).isNumber && Field.number("version", 3).value == "3")
        #expect(!Field("version", "3").isNumber)
        // Equality and the wire are about key and text only.
        #expect(Field.number("version", 3) == Field("version", "3"))
    }
}
