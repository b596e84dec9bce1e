import Dates
import Deadlines
import Foundation
import Letters
import Postgres
import TestSupport
import Testing
import Workflow

@testable import Store

func day(_ text: String) -> CivilDate { CivilDate(iso: text) ?? CivilDate(dayNumber: 0) }

/// A migrated database with a request store and a few users.
struct RequestFixture {
    let pool: PostgresPool
    let store: RequestStore
    let admin = Actor(login: "root", role: .admin)
    let officer = Actor(login: "asmith", role: .officer)
    let manager = Actor(login: "bkhan", role: .manager)
    let today = day("2026-12-01")

    init(_ label: String, maxConnections: Int = 4) async throws {
        pool = try await TestDatabase.migratedPool(label, maxConnections: maxConnections)
        store = RequestStore(pool: pool, calendars: CalendarCache(store: HolidayStore(pool: pool), maxAge: .zero))
        let users = UserStore(pool: pool)
        for (login, role) in [("root", Role.admin), ("asmith", .officer), ("bkhan", .manager)] {
            _ = try await users.add(login: login, role: role)
        }
    }

    func create(
        _ kind: RequestKind = .foi, received: String = "2026-11-20", extra: [Field] = [], key: String? = nil, by actor: Actor? = nil
    ) async throws -> ChangeResult {
        try await store.create(
            kind: kind, fields: Self.fields(kind, received: received) + extra, idempotencyKey: key, by: actor ?? officer, today: today)
    }

    /// What CREATE needs for `kind`: an ICO case names the request complained about (any ref
    /// of the right shape: the parent is read only by reviews), its reference and its due date.
    static func fields(_ kind: RequestKind, received: String) -> [Field] {
        guard kind == .ico else { return [Field("received", received), Field("requester", "Jane O'Neil")] }
        return [
            Field("received", received), Field("ico_ref", "IC-\(UInt32.random(in: 1...UInt32.max))"),
            Field("due", day(received).adding(days: 28).description),
        ]
    }

    func eventCount(_ ref: String) async throws -> Int {
        try await pool.query("SELECT count(*) AS n FROM request_events e JOIN requests r ON r.id = e.request_id WHERE r.ref = \(ref)")
            .first?.decode(Int.self, "n") ?? -1
    }

    func shutdown() async { await pool.shutdown() }
}

@Suite(.requiresDatabase) struct RequestStoreTests {
    @Test func createShowAndHistory() async throws {
        let f = try await RequestFixture("reqbasic")
        let created = try await f.create(extra: [Field("subject", "Stop and search, 2025"), Field("contact", "email"), Field("team", "north")])
        #expect(created.ref == "FOI-2026-000001" && created.state == .received && created.version == 1)
        #expect(created.due == day("2026-12-21"))
        let view = try await f.store.show(ref: created.ref, today: f.today)
        #expect(view.requester == "Jane O'Neil" && view.subject == "Stop and search, 2025" && view.team == "north")
        #expect(view.daysLeft == 14)  // 2, 3, 4, 7-11, 14-18, 21 Dec
        let history = try await f.store.history(ref: created.ref)
        #expect(history.map(\.action) == ["create"])
        #expect(history.first?.actor == "asmith" && history.first?.fields.contains(Field("subject", "Stop and search, 2025")) == true)
        await #expect(throws: WorkflowError.notFound("no request FOI-2026-999999")) { try await f.store.show(ref: "FOI-2026-999999", today: f.today) }
        await #expect(throws: WorkflowError.self) { try await f.store.history(ref: "nope") }
        await f.shutdown()
    }

    /// Every state x action through the database: allowed ones write one event, refused ones none.
    @Test func everyStateTimesActionAgainstTheDatabase() async throws {
        let f = try await RequestFixture("reqmatrix")
        let parent = try await f.create().ref
        var checked = 0
        for state in RequestState.allCases {
            // (anonymised is written by the retention schedule's SQL, never through ACT: RetentionTests.)
            for action in Action.allCases where ![.create, .recalculate, .reviewOutcome, .icoOutcome, .anonymised].contains(action) {
                let spec = TransitionTable.spec(for: action)
                let kind: RequestKind = spec.kinds.contains(.foi) ? .foi : spec.kinds.contains(.sar) ? .sar : spec.kinds.contains(.dpc) ? .dpc : .ico
                let ref = try await f.create(kind, extra: kind == .ico ? [Field("parent", parent)] : []).ref
                // Put the request into `state` directly (a fixture, not a workflow step).
                try await f.pool.query(
                    "UPDATE requests SET state = \(state.rawValue), clock = CASE WHEN \(state.isPaused) THEN jsonb_set(clock, '{pausedSince}', '\"2026-11-20\"') ELSE clock END, hold_since = CASE WHEN \(action == .release) THEN date '2026-11-20' END WHERE ref = \(ref)"
                )
                var fields: [Field] = []
                switch action {
                case .assign: fields = [Field("to", "asmith")]
                case .extend:
                    fields =
                        [Field("reason", "public interest")] + (kind == .sar ? [] : [Field("days", "5")])
                        + (kind == .foi ? [Field("exemptions", "s31")] : [])
                case .respond: fields = [Field("outcome", "granted")]
                case .transfer: fields = [Field("to", "Another force")]
                case .contacted: fields = [Field("method", "phone")]
                case .escalate: fields = [Field("level", "warning")]
                case .decision: fields = [Field("on", "2026-11-30"), Field("outcome", "upheld")]
                case .appealed: fields = [Field("by", "requester")]
                case .tribunal: fields = [Field("on", "2026-11-30"), Field("outcome", "dismissed")]
                case .hold: fields = [Field("reason", "litigation")]
                case .requesterViewed: fields = [Field("reason", "s.12 aggregation")]
                case .link, .unlink: fields = [Field("to", parent), Field("type", "related")]
                case .estimate: fields = [Field("activity", "locate"), Field("hours", "1.5")]
                case .aggregate: fields = [Field("with", parent)]
                case .amend: fields = [Field("email", "new@example.org")]
                default: break
                }
                // Only a link there can be taken away; another requester's request is aggregated
                // only when linked in concert.
                if action == .unlink || action == .aggregate {
                    try await f.pool.query(
                        """
                        INSERT INTO request_links (low_id, high_id, type, created_by)
                        SELECT p.id, r.id, \(action == .unlink ? "related" : "in-concert"), 'fixture' FROM requests p, requests r
                        WHERE p.ref = \(parent) AND r.ref = \(ref)
                        """)
                }
                do {
                    let result = try await f.store.act(ref: ref, action: action, fields: fields, by: f.admin, today: f.today)
                    #expect(spec.from.contains(state), "\(action.rawValue) from \(state.rawValue) should have been refused")
                    #expect(result.state == spec.target(from: state) && result.version == 2)
                    #expect(try await f.eventCount(ref) == 2)
                } catch let error as WorkflowError {
                    #expect(!spec.from.contains(state), "\(action.rawValue) from \(state.rawValue): \(error)")
                    if case .invalidTransition = error {} else { Issue.record("\(action.rawValue) from \(state.rawValue): \(error)") }
                    #expect(try await f.eventCount(ref) == 1, "a refused action wrote an event")
                    #expect(try await f.store.show(ref: ref, today: f.today).version == 1)
                }
                checked += 1
            }
        }
        #expect(checked == RequestState.allCases.count * (Action.allCases.count - 5))
        await f.shutdown()
    }

    @Test func badInputLeavesTheRequestUnchanged() async throws {
        let f = try await RequestFixture("reqbad")
        let ref = try await f.create().ref
        let attempts: [(Action, [Field], Actor, Int?)] = [
            (.respond, [], f.officer, nil),  // missing field
            (.respond, [Field("outcome", "perhaps")], f.officer, nil),  // bad value
            (.extend, [Field("reason", "x")], f.officer, nil),  // wrong role
            (.submit, [], f.officer, 7),  // stale version
            (.clarify, [Field("on", "2026-12-02")], f.officer, nil),  // future date
            (.approve, [], f.manager, nil),  // wrong state
            (.assign, [Field("to", "ghost")], f.manager, nil),  // no such user
            (.assign, [Field("to", "bkhan")], f.officer, nil),  // officer assigning others
        ]
        for (action, fields, actor, expected) in attempts {
            await #expect(throws: WorkflowError.self, "\(action.rawValue) \(fields)") {
                try await f.store.act(ref: ref, action: action, fields: fields, expectedVersion: expected, by: actor, today: f.today)
            }
        }
        let late = RequestFixture.lateExtension
        await #expect(
            throws: WorkflowError.invalidTransition("an extension must be taken on or before the due date 2026-12-21 (today is 2026-12-22)")
        ) {
            try await f.store.act(ref: ref, action: .extend, fields: [Field("reason", "x")], by: f.manager, today: late)
        }
        #expect(try await f.eventCount(ref) == 1)
        #expect(try await f.store.show(ref: ref, today: f.today).version == 1)
        await f.shutdown()
    }

    @Test func concurrentWritersWithExpectNeverLoseAnUpdate() async throws {
        let f = try await RequestFixture("reqconc", maxConnections: 8)
        let ref = try await f.create().ref
        let store = f.store, manager = f.manager, today = f.today
        let outcomes = try await withThrowingTaskGroup(of: [Int].self) { group in
            for task in 0..<8 {
                group.addTask {
                    var won: [Int] = []
                    for round in 0..<6 {
                        let version = try await store.show(ref: ref, today: today).version
                        do {
                            let result = try await store.act(
                                ref: ref, action: .assign, fields: [Field("to", "bkhan"), Field("note", "t\(task) r\(round)")],
                                expectedVersion: version, by: manager, today: today)
                            won.append(result.version)
                        } catch WorkflowError.conflict {
                            // Someone else took this version.
                        }
                    }
                    return won
                }
            }
            var all: [Int] = []
            for try await won in group { all += won }
            return all
        }
        // Exactly one success per version, none handed out twice, history = 1 + successes.
        #expect(Set(outcomes).count == outcomes.count)
        #expect(outcomes.sorted() == Array(2..<(2 + outcomes.count)))
        #expect(try await f.eventCount(ref) == 1 + outcomes.count)
        #expect(try await f.store.show(ref: ref, today: f.today).version == 1 + outcomes.count)
        let seqs = try await f.store.history(ref: ref).map(\.seq)
        #expect(seqs == Array(1...(1 + outcomes.count)))
        await f.shutdown()
    }

    @Test func concurrentCreatesGetUniqueGapFreeReferences() async throws {
        let f = try await RequestFixture("reqrefs", maxConnections: 8)
        let refs = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<40 { group.addTask { try await f.create().ref } }
            var all: [String] = []
            for try await ref in group { all.append(ref) }
            return all
        }
        #expect(Set(refs).count == 40)
        #expect(refs.sorted() == (1...40).map { String(format: "FOI-2026-%06d", $0) })
        // Another kind and year count on their own.
        #expect(try await f.create(.sar).ref == "SAR-2026-000001")
        #expect(try await f.create(.foi, received: "2025-12-31").ref == "FOI-2025-000001")
        await f.shutdown()
    }

    @Test func idempotentCreateReplaysAndRefusesMismatches() async throws {
        let f = try await RequestFixture("reqidem", maxConnections: 8)
        let first = try await f.create(key: "abc")
        let again = try await f.create(key: "abc")
        #expect(again == ChangeResult(ref: first.ref, state: .received, due: first.due, version: 1, replayed: true))
        await #expect(throws: WorkflowError.self) { try await f.create(received: "2026-11-19", key: "abc") }
        // The same key from another user is another key.
        let other = try await f.create(key: "abc", by: f.manager)
        #expect(other.ref != first.ref && !other.replayed)
        // Concurrent creates with one key make one request.
        let results = try await withThrowingTaskGroup(of: ChangeResult.self) { group in
            for _ in 0..<6 { group.addTask { try await f.create(key: "race") } }
            var all: [ChangeResult] = []
            for try await r in group { all.append(r) }
            return all
        }
        #expect(Set(results.map(\.ref)).count == 1)
        #expect(results.filter { !$0.replayed }.count == 1)
        #expect(try await f.pool.query("SELECT count(*) AS n FROM requests").first?.decode(Int.self, "n") == 3)
        await f.shutdown()
    }

    @Test func theEventLogIsAppendOnly() async throws {
        let f = try await RequestFixture("reqappend")
        _ = try await f.create()
        await #expect(throws: PostgresError.self) { try await f.pool.query("UPDATE request_events SET actor = 'mallory'") }
        await #expect(throws: PostgresError.self) { try await f.pool.query("DELETE FROM request_events") }
        #expect(try await f.pool.query("SELECT count(*) AS n FROM request_events WHERE actor = 'asmith'").first?.decode(Int.self, "n") == 1)
        await f.shutdown()
    }

    @Test func aNewBankHolidayMovesOpenDueDatesOnly() async throws {
        let f = try await RequestFixture("reqholiday")
        let open = try await f.create().ref  // due 2026-12-21
        let answered = try await f.create().ref
        _ = try await f.store.act(ref: answered, action: .respond, fields: [Field("outcome", "granted")], by: f.officer, today: f.today)
        let later = try await f.create(received: "2026-12-01").ref  // window 2 Dec to 4 Jan... contains 3 Dec too
        let holidays = HolidayStore(pool: f.pool)
        let moved = try await holidays.add(Holiday(date: day("2026-12-03"), division: .northernIreland, title: "Proclaimed"), actor: "root")
        #expect(Set(moved) == [open, later])
        #expect(try await f.store.show(ref: open, today: f.today).due == day("2026-12-22"))
        #expect(try await f.store.show(ref: answered, today: f.today).due == day("2026-12-21"))
        let history = try await f.store.history(ref: open)
        #expect(history.last?.action == "recalculate" && history.last?.due == day("2026-12-22"))
        #expect(history.last?.fields.contains(Field("previous_due", "2026-12-21")) == true)
        #expect(try await f.eventCount(answered) == 2)
        // Removing it restores the date.
        _ = try await holidays.remove(date: day("2026-12-03"), division: .northernIreland, actor: "root")
        #expect(try await f.store.show(ref: open, today: f.today).due == day("2026-12-21"))
        #expect(try await f.eventCount(open) == 3)
        await f.shutdown()
    }

    @Test func listPagesByRefWithFilters() async throws {
        let f = try await RequestFixture("reqlist")
        for _ in 0..<5 { _ = try await f.create() }
        for _ in 0..<2 { _ = try await f.create(.sar) }
        let first = try await f.store.list(RequestFilter(limit: 3), today: f.today)
        #expect(first.requests.map(\.ref) == ["FOI-2026-000001", "FOI-2026-000002", "FOI-2026-000003"])
        #expect(first.next == "FOI-2026-000003")
        let second = try await f.store.list(RequestFilter(after: first.next, limit: 3), today: f.today)
        #expect(second.requests.map(\.ref) == ["FOI-2026-000004", "FOI-2026-000005", "SAR-2026-000001"])
        let last = try await f.store.list(RequestFilter(after: second.next, limit: 3), today: f.today)
        #expect(last.requests.map(\.ref) == ["SAR-2026-000002"] && last.next == nil)
        #expect(try await f.store.list(RequestFilter(kind: .sar), today: f.today).requests.count == 2)
        _ = try await f.store.act(ref: "FOI-2026-000002", action: .assign, fields: [Field("to", "asmith")], by: f.officer, today: f.today)
        let mine = try await f.store.list(RequestFilter(state: .inProgress, assignee: "asmith"), today: f.today)
        #expect(mine.requests.map(\.ref) == ["FOI-2026-000002"])
        await f.shutdown()
    }

    @Test func riskListsOpenRequestsMostUrgentFirst() async throws {
        let f = try await RequestFixture("reqrisk")
        let overdue = try await f.create(received: "2026-10-01").ref  // due 2026-10-29
        let soon = try await f.create(received: "2026-11-03").ref  // due 2026-12-02
        _ = try await f.create(received: "2026-11-30")  // due 2026-12-30: not within 5
        let answered = try await f.create(received: "2026-10-02").ref
        _ = try await f.store.act(
            ref: answered, action: .respond, fields: [Field("outcome", "refused"), Field("exemptions", "s31")], by: f.officer, today: f.today)
        let paused = try await f.create(received: "2026-10-05").ref
        _ = try await f.store.act(ref: paused, action: .clarify, fields: [Field("on", "2026-10-06")], by: f.officer, today: f.today)
        let list = try await f.store.risk(within: 5, asOf: f.today)
        #expect(list.map(\.ref) == [overdue, soon])
        #expect(list.map(\.daysLeft) == [-22, 1])  // 30 Oct to 1 Dec, less St Andrew's Day
        #expect(try await f.store.risk(within: 0, asOf: day("2026-12-02")).map(\.ref) == [overdue, soon])
        #expect(try await f.store.risk(within: 5, asOf: f.today, kind: .sar).isEmpty)
        await f.shutdown()
    }
}

extension RequestFixture {
    static let lateExtension = day("2026-12-22")
}
