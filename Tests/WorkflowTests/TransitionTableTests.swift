import Dates
import Deadlines
import Testing
import Workflow

func day(_ text: String) -> CivilDate {
    guard let date = CivilDate(iso: text) else {
        Issue.record("bad date literal \(text)")
        return CivilDate(dayNumber: 0)
    }
    return date
}

let engine = WorkflowEngine(calendars: .rules, grounds: SeedGrounds.table)
let admin = Actor(login: "root", role: .admin)
let today = day("2026-12-01")

/// A record of `kind` received 2026-11-20, put straight into `state`.
func record(_ kind: RequestKind = .foi, state: RequestState, received: String = "2026-11-20") -> RequestRecord {
    var clock = StatutoryClock(received: day(received))
    if state.isPaused { clock.pausedSince = day(received) }
    let calendar = Authority().defaultCalendar(for: kind)
    let deadline = try? clock.deadline(rule: kind.rule, calendar: CalendarSet.rules[calendar])
    return RequestRecord(
        kind: kind, state: state, version: 3, received: day(received), calendar: calendar,
        clock: clock, due: deadline?.due, maxDue: deadline?.maxDue)
}

/// Valid fields for each action (so a refusal can only come from the state).
func validFields(_ action: Action) -> [Field] {
    switch action {
    case .assign: [Field("to", "root")]
    case .extend: [Field("reason", "public interest test"), Field("days", "5"), Field("exemptions", "s31")]
    case .respond: [Field("outcome", "granted")]
    case .transfer: [Field("to", "Another force")]
    case .contacted: [Field("method", "phone")]
    case .escalate: [Field("level", "warning")]
    case .decision: [Field("on", "2026-12-01"), Field("outcome", "upheld")]
    case .appealed: [Field("by", "authority")]
    case .tribunal: [Field("on", "2026-12-01"), Field("outcome", "dismissed")]
    case .hold: [Field("reason", "litigation")]
    case .anonymised: [Field("basis", "schedule")]
    case .requesterViewed: [Field("reason", "s.12 aggregation")]
    case .link, .unlink: [Field("to", "FOI-2026-000002"), Field("type", "related")]
    case .estimate: [Field("activity", "locate"), Field("hours", "1.5")]
    case .aggregate: [Field("with", "FOI-2026-000002")]
    case .amend: [Field("email", "new@example.org")]
    default: []
    }
}

@Suite struct TransitionTableTests {
    /// Every state x action: allowed exactly where the table says, otherwise INVALID_TRANSITION.
    @Test(arguments: Action.allCases.filter { $0 != .create && $0 != .reviewOutcome && $0 != .icoOutcome })
    func everyStateForAction(_ action: Action) throws {
        let spec = TransitionTable.spec(for: action)
        for state in RequestState.allCases {
            let kind: RequestKind = spec.kinds.contains(.foi) ? .foi : spec.kinds.contains(.sar) ? .sar : spec.kinds.contains(.dpc) ? .dpc : .ico
            var before = record(kind, state: state)
            // Only a held request can be released.
            if action == .release { before.hold = LegalHold(since: today, until: nil) }
            do {
                // An admin, or the system for the system's own actions (a calendar change).
                let actor = spec.roles.contains(.admin) ? admin : Actor(login: "system", role: .system)
                let (after, event) = try engine.act(action, fields: validFields(action), by: actor, today: today, on: before)
                #expect(spec.from.contains(state), "\(action.rawValue) from \(state.rawValue) should be refused")
                #expect(after.state == spec.target(from: state))
                #expect(after.version == before.version + 1)
                #expect(event.from == state && event.to == after.state && event.action == action)
            } catch let error {
                #expect(!spec.from.contains(state), "\(action.rawValue) from \(state.rawValue) refused: \(error)")
                guard case .invalidTransition = error else {
                    Issue.record("\(action.rawValue) from \(state.rawValue): expected invalidTransition, got \(error)")
                    continue
                }
            }
        }
    }

    @Test func theTableCoversEveryAction() {
        for action in Action.allCases {
            #expect(TransitionTable.spec(for: action).action == action)
        }
        #expect(TransitionTable.specs.count == Action.allCases.count)
    }

    @Test func assigningStartsWorkOnlyFromReceived() throws {
        let (a, _) = try engine.act(.assign, fields: [Field("to", "root")], by: admin, today: today, on: record(state: .received))
        #expect(a.state == .inProgress && a.assignee == "root")
        let (b, _) = try engine.act(.assign, fields: [Field("to", "root")], by: admin, today: today, on: record(state: .awaitingFee))
        #expect(b.state == .awaitingFee)
    }

    @Test func kindsThatAnActionDoesNotApplyTo() {
        #expect(throws: WorkflowError.invalidTransition("id-requested does not apply to foi requests")) {
            try engine.act(.idRequested, fields: [], by: admin, today: today, on: record(.foi, state: .inProgress))
        }
        #expect(throws: WorkflowError.invalidTransition("a complaint cannot be extended")) {
            try engine.act(.extend, fields: [Field("reason", "x")], by: admin, today: today, on: record(.complaint, state: .inProgress))
        }
        #expect(throws: WorkflowError.self) {
            try engine.act(.feeNotice, fields: [], by: admin, today: today, on: record(.review, state: .inProgress))
        }
    }
}

@Suite struct PermissionTests {
    @Test func rolesAndActions() {
        let officerMay: Set<Action> = [
            .assign, .clarify, .clarified, .feeNotice, .feePaid, .idRequested, .idVerified,
            .submit, .respond, .close, .withdraw, .transfer, .contacted, .submitted, .decision, .complied, .appealed, .tribunal,
            .link, .unlink, .estimate, .aggregate, .acknowledge, .amend,
        ]
        let managerOnly: Set<Action> = [.approve, .return, .reopen, .extend, .hold, .release]
        // The people's actions (the nightly job's lapse and escalate are checked below).
        for action in Action.actable where action != .lapse && action != .escalate {
            #expect(Role.officer.may(.act(action)) == officerMay.contains(action), "officer \(action)")
            #expect(Role.manager.may(.act(action)) == (officerMay.contains(action) || managerOnly.contains(action)), "manager \(action)")
            #expect(Role.admin.may(.act(action)))
            #expect(!Role.auditor.may(.act(action)), "auditor \(action)")
            #expect(!Role.system.may(.act(action)), "system \(action)")
        }
        for role in Role.allCases { #expect(role.may(.read)) }
        #expect(!Role.auditor.may(.create) && !Role.system.may(.create) && Role.officer.may(.create))
        #expect(Role.system.may(.act(.lapse)) && Role.system.may(.act(.escalate)) && Role.system.may(.runJobs))
        #expect(!Role.officer.may(.act(.lapse)) && !Role.manager.may(.runJobs))
        // Roles per action come from the table alone: nobody takes a parent's trail by hand,
        // and a calendar change is the system's.
        for action in [Action.reviewOutcome, .icoOutcome, .recalculate] {
            #expect(!Action.actable.contains(action) && !Role.admin.may(.act(action)), "\(action)")
        }
        #expect(!Action.actable.contains(.create))
        #expect(Action.actable.contains(.lapse) && Action.actable.contains(.escalate) && Role.admin.may(.act(.lapse)))
        #expect(Role.admin.may(.manageHolidays) && !Role.manager.may(.manageHolidays) && !Role.manager.may(.manageUsers))
    }

    @Test func deniedIsDistinctFromOtherErrors() {
        let officer = Actor(login: "asmith", role: .officer)
        #expect(throws: WorkflowError.denied("role officer may not take the action 'extend' on a request")) {
            try engine.act(.extend, fields: [Field("reason", "x")], by: officer, today: today, on: record(state: .inProgress))
        }
        #expect(throws: WorkflowError.denied("role officer may not assign a request to someone else")) {
            try engine.act(.assign, fields: [Field("to", "bkhan")], by: officer, today: today, on: record(state: .received))
        }
        #expect(throws: Never.self) {
            try engine.act(.assign, fields: [Field("to", "asmith")], by: officer, today: today, on: record(state: .received))
        }
        #expect(throws: WorkflowError.denied("role auditor may not create requests")) {
            try engine.create(
                kind: .foi, fields: [Field("received", "2026-11-20"), Field("requester", "x")],
                by: Actor(login: "aud", role: .auditor), today: today)
        }
    }
}

@Suite struct BadInputTests {
    func refusal(
        _ action: Action, _ fields: [Field], state: RequestState = .inProgress, kind: RequestKind = .foi, expect: Int? = nil
    ) -> WorkflowError? {
        do {
            _ = try engine.act(action, fields: fields, by: admin, today: today, on: record(kind, state: state), expectedVersion: expect)
            return nil
        } catch {
            return error
        }
    }

    @Test func eachMistakeIsItsOwnError() {
        #expect(refusal(.respond, []) == .badArgument("respond needs outcome=..."))
        #expect(
            refusal(.respond, [Field("outcome", "maybe")])
                == .badArgument("outcome=maybe is not one of granted, partial, refused, not-held, ncnd (a foi)"))
        #expect(refusal(.close, [Field("colour", "red")], state: .responded)?.description.hasPrefix("close does not take 'colour'") == true)
        #expect(refusal(.clarify, [Field("on", "2026-12-02")]) == .badArgument("on=2026-12-02 is in the future (today is 2026-12-01)"))
        #expect(refusal(.clarify, [Field("on", "2026-11-19")]) == .badArgument("on=2026-11-19 is before the request was received (2026-11-20)"))
        #expect(refusal(.clarify, [Field("on", "2026-02-30")]) == .badArgument("on=2026-02-30 is not a valid date (YYYY-MM-DD)"))
        #expect(refusal(.submit, [], expect: 2) == .conflict("expected version 2, but the request is at version 3"))
        #expect(refusal(.submit, [], state: .received) != nil)
        #expect(refusal(.assign, [Field("to", "Not A Login")]) == .badArgument("to=Not A Login is not a valid login"))
        #expect(refusal(.extend, [Field("reason", "x"), Field("days", "21")]) == .badArgument("days=21: at most 20 more working days (40 in all)"))
        #expect(refusal(.extend, [Field("reason", "x"), Field("days", "0")]) != nil)
        #expect(refusal(.extend, [Field("reason", "x"), Field("months", "1")]) == .badArgument("foi is extended in working days: days=N"))
        #expect(refusal(.extend, [Field("reason", "x"), Field("days", "1")], kind: .sar) == .badArgument("sar is extended in months: months=N"))
        #expect(
            refusal(.extend, [Field("reason", "x"), Field("months", "3")], kind: .sar) == .badArgument("months=3: at most 2 more months (3 in all)"))
        #expect(refusal(.extend, [Field("reason", " ")]) == .badArgument("reason must not be empty"))
    }

    @Test func anExtensionAfterTheDueDateIsRefused() {
        let late = day("2026-12-22")  // due 2026-12-21
        #expect(throws: WorkflowError.invalidTransition("an extension must be taken on or before the due date 2026-12-21 (today is 2026-12-22)")) {
            try engine.act(.extend, fields: [Field("reason", "x")], by: admin, today: late, on: record(state: .inProgress))
        }
        #expect(throws: Never.self) {
            try engine.act(
                .extend, fields: [Field("reason", "x"), Field("exemptions", "s31")], by: admin, today: day("2026-12-21"),
                on: record(state: .inProgress))
        }
    }

    @Test func createValidation() {
        func createError(_ kind: RequestKind, _ fields: [Field]) -> WorkflowError? {
            do {
                _ = try engine.create(kind: kind, fields: fields, by: admin, today: today)
                return nil
            } catch { return error }
        }
        #expect(
            createError(.foi, [Field("received", "2026-12-02"), Field("requester", "J")])
                == .badArgument("received=2026-12-02 is in the future (today is 2026-12-01)"))
        #expect(createError(.foi, [Field("requester", "J")]) == .badArgument("create needs received=..."))
        #expect(createError(.foi, [Field("received", "2026-11-20")]) == .badArgument("create needs requester=..."))
        #expect(createError(.foi, [Field("received", "2026-11-20"), Field("requester", " ")]) == .badArgument("requester must not be empty"))
        #expect(createError(.foi, [Field("received", "1989-12-29"), Field("requester", "J")]) != nil)
        #expect(createError(.foi, [Field("received", "2026-11-20"), Field("requester", "J"), Field("contact", "pigeon")]) != nil)
        #expect(createError(.foi, [Field("received", "2026-11-20"), Field("requester", "J"), Field("calendar", "mars")]) != nil)
        #expect(createError(.foi, [Field("received", "2026-11-20"), Field("requester", "J"), Field("shoe", "9")]) != nil)
        #expect(
            createError(.review, [Field("received", "2026-11-20"), Field("requester", "J")])
                == .badArgument("a review needs parent=REF, the FOI or EIR request it concerns"))
        #expect(createError(.foi, [Field("received", "2026-11-20"), Field("requester", "J")]) == nil)
    }
}
