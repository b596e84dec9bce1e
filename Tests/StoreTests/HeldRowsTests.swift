import Dates
import Deadlines
import Letters
import Postgres
import TestSupport
import Testing
import Workflow

@testable import Store

/// Two servers over one database, each holding the rows it reads and writes (`HeldRows`), as
/// `foiflow serve` does; `a` is the one under test, `b` the other server changing things.
struct TwoServers {
    let f: RequestFixture
    let a: RequestStore
    let b: RequestStore
    let poolB: PostgresPool

    init(_ label: String) async throws {
        f = try await RequestFixture(label)
        a = TwoServers.store(f.pool)
        poolB = PostgresPool(url: f.pool.configuration.url, maxConnections: 2)
        b = TwoServers.store(poolB)
    }

    static func store(_ pool: PostgresPool, holding capacity: Int? = 100) -> RequestStore {
        RequestStore(
            pool: pool, calendars: CalendarCache(store: HolidayStore(pool: pool), maxAge: .seconds(600)),
            heldRows: capacity.map(HeldRows.init(capacity:)),
            unit: UnitCache(store: UnitStore(pool: pool), fallback: UnitContact(), maxAge: .seconds(600)))
    }

    func assign(_ store: RequestStore, _ ref: String, to login: String, expect: Int? = nil) async throws -> ChangeResult {
        try await store.act(ref: ref, action: .assign, fields: [Field("to", login)], expectedVersion: expect, by: f.manager, today: f.today)
    }

    /// Statements `body` sent through `pool`.
    func statements(on pool: PostgresPool, _ body: () async throws -> Void) async throws -> Int {
        let before = pool.statementsRun
        try await body()
        return pool.statementsRun - before
    }

    func sql(_ query: PostgresQuery) async throws {
        try await poolB.query(query)
    }

    func shutdown() async {
        await poolB.shutdown()
        await f.shutdown()
    }
}

@Suite(.requiresDatabase) struct HeldRowsTests {
    @Test func anActionOnARowReadOrWrittenBeforeIsOneStatement() async throws {
        let s = try await TwoServers("heldone")
        let first = try await s.f.create().ref, second = try await s.f.create().ref
        // The first action reads (and loads the calendars and grounds); it holds what it wrote.
        _ = try await s.assign(s.a, first, to: "asmith")
        #expect(try await s.statements(on: s.f.pool) { _ = try await s.assign(s.a, first, to: "bkhan") } == 1)
        // A SHOW holds the row it read.
        _ = try await s.a.show(ref: second, today: s.f.today)
        #expect(try await s.statements(on: s.f.pool) { _ = try await s.assign(s.a, second, to: "asmith", expect: 1) } == 1)
        #expect(try await s.f.eventCount(first) == 3)
        #expect(try await s.f.eventCount(second) == 2)
        // A store that holds nothing reads first: two statements.
        let plain = TwoServers.store(s.f.pool, holding: nil)
        _ = try await plain.show(ref: second, today: s.f.today)
        #expect(try await s.statements(on: s.f.pool) { _ = try await s.assign(plain, second, to: "bkhan") } == 2)
        await s.shutdown()
    }

    @Test func aRowChangedByAnotherServerIsReadAgainAndNeverAStaleConflict() async throws {
        let s = try await TwoServers("heldstale")
        let ref = try await s.f.create().ref
        _ = try await s.a.show(ref: ref, today: s.f.today)  // a holds version 1
        #expect(try await s.assign(s.b, ref, to: "asmith").version == 2)
        // a's row is stale: its guarded write misses, and it reads and decides again.
        #expect(try await s.assign(s.a, ref, to: "bkhan").version == 3)
        #expect(try await s.assign(s.b, ref, to: "asmith", expect: 3).version == 4)
        // expect= names the database's version, not a's (3): that is no conflict.
        #expect(try await s.assign(s.a, ref, to: "bkhan", expect: 4).version == 5)
        // A version the database has moved past is.
        await #expect(throws: WorkflowError.self) { try await s.assign(s.a, ref, to: "asmith", expect: 4) }
        #expect(try await s.f.eventCount(ref) == 5)
        let row = try await s.f.pool.query("SELECT version, assignee FROM requests WHERE ref = \(ref)").first
        #expect(try row?.decode(Int.self, "version") == 5)
        #expect(try row?.decode(String.self, "assignee") == "bkhan")
        await s.shutdown()
    }

    @Test func aSignOffPolicySetSinceTheRowWasHeldIsObeyed() async throws {
        let s = try await TwoServers("heldpolicy")
        let ref = try await s.f.create().ref
        _ = try await s.assign(s.a, ref, to: "asmith")  // a holds version 2, decided under no policy
        try await PolicyStore(pool: s.poolB).setRequireApproval([.refused], by: "root")
        let refuse = [Field("outcome", "refused"), Field("exemptions", "s31")]
        await #expect(throws: WorkflowError.self) {
            try await s.a.act(ref: ref, action: .respond, fields: refuse, by: s.f.officer, today: s.f.today)
        }
        #expect(try await s.f.eventCount(ref) == 2)
        // A row held from a SHOW takes the policy last seen here, which is checked the same way.
        let shown = try await s.f.create().ref
        _ = try await s.a.show(ref: shown, today: s.f.today)
        try await PolicyStore(pool: s.poolB).setRequireApproval([.refused, .partial], by: "root")
        await #expect(throws: WorkflowError.self) {
            try await s.a.act(
                ref: shown, action: .respond, fields: [Field("outcome", "partial"), Field("exemptions", "s31")], by: s.f.officer,
                today: s.f.today)
        }
        #expect(try await s.f.eventCount(shown) == 1)
        await s.shutdown()
    }

    @Test func lettersNameTheLeadOfficerAsTheyAreNow() async throws {
        let s = try await TwoServers("heldlead")
        try await s.sql("UPDATE users SET name = 'Ann Smith', email = 'ann.smith@police.example' WHERE login = 'asmith'")
        let first = try await s.f.create().ref, second = try await s.f.create().ref
        // Held from the write that assigned it: the new lead's contact came back with it. (The
        // unit's details, which letters also name, are read once in a while: read them now.)
        _ = try await s.assign(s.a, first, to: "asmith")
        _ = try await s.a.unit.current()
        #expect(
            try await s.statements(on: s.f.pool) {
                _ = try await s.a.act(ref: first, action: .clarify, fields: [], by: s.f.officer, today: s.f.today)
            } == 1)
        #expect(try await letterBody(s, first).contains("Ann Smith is leading on your request"))
        // The lead's name changed after the row was held: the guarded write misses, the
        // request is read again and the letter names her as she is now.
        _ = try await s.assign(s.a, second, to: "asmith")
        try await s.sql("UPDATE users SET name = 'Ann Jones' WHERE login = 'asmith'")
        _ = try await s.a.act(ref: second, action: .clarify, fields: [], by: s.f.officer, today: s.f.today)
        #expect(try await letterBody(s, second).contains("Ann Jones is leading on your request"))
        #expect(try await s.f.eventCount(second) == 3)
        // Held from a SHOW, which reads no contact details: the lead's are taken as last seen
        // here (none yet for bkhan), checked by the write, and read again when they differ.
        try await s.sql("UPDATE users SET name = 'Bilal Khan', phone = '01632 960001' WHERE login = 'bkhan'")
        let third = try await s.f.create().ref
        _ = try await s.assign(s.b, third, to: "bkhan")
        _ = try await s.a.show(ref: third, today: s.f.today)
        _ = try await s.a.act(ref: third, action: .clarify, fields: [], by: s.f.manager, today: s.f.today)
        #expect(try await letterBody(s, third).contains("Bilal Khan is leading on your request"))
        await s.shutdown()
    }

    @Test func aContactRecordedSinceTheRowWasHeldIsNotUndone() async throws {
        let s = try await TwoServers("heldcontact")
        let ref = try await s.f.create().ref
        _ = try await s.a.show(ref: ref, today: s.f.today)
        // A letter delivered since (the outbox marks contact without a new version).
        try await s.sql("UPDATE requests SET last_contact = '2026-11-30' WHERE ref = \(ref)")
        _ = try await s.assign(s.a, ref, to: "asmith")
        let row = try await s.f.pool.query("SELECT last_contact, version FROM requests WHERE ref = \(ref)").first
        #expect(try row?.decode(CivilDate.self, "last_contact") == day("2026-11-30"))
        #expect(try row?.decode(Int.self, "version") == 2)
        await s.shutdown()
    }

    @Test func aRowHeldForOneTeamIsNotActedOnForAnother() async throws {
        let s = try await TwoServers("heldteam")
        let ref = try await s.f.create(extra: [Field("team", "north")]).ref
        _ = try await s.a.show(ref: ref, today: s.f.today)
        let south = Actor(login: "asmith", role: .officer, team: "south")
        await #expect(throws: WorkflowError.self) {
            try await s.a.act(ref: ref, action: .assign, fields: [Field("to", "asmith")], by: south, today: s.f.today)
        }
        #expect(try await s.f.eventCount(ref) == 1)
        await s.shutdown()
    }

    @Test func aFullStoreMakesRoomAndNeverGoesBackAVersion() throws {
        func row(_ id: Int, version: Int) -> HeldRow {
            let received = day("2026-11-20")
            let record = RequestRecord(
                kind: .foi, state: .received, version: version, received: received, calendar: .uk,
                clock: StatutoryClock(received: received), due: nil, maxDue: nil)
            return HeldRow(id: id, record: record, details: RequestDetails(requester: "J"))
        }
        let rows = HeldRows(capacity: 2)
        rows.keep(row(1, version: 3), for: "A")
        rows.keep(row(1, version: 2), for: "A")
        #expect(rows["A"]?.row.version == 3)
        rows.keep(row(1, version: 4), for: "A")
        #expect(rows["A"]?.row.version == 4)
        rows.keep(row(2, version: 1), for: "B")
        rows.keep(row(3, version: 1), for: "C")
        // Full: the row held longest (A) made room.
        #expect(rows.count == 2)
        #expect(rows["A"] == nil && rows["B"]?.row.id == 2 && rows["C"]?.row.id == 3)
        rows.keep(row(4, version: 1), for: "D")
        #expect(rows["B"] == nil && rows["C"] != nil && rows["D"] != nil)
        rows.forget("C")
        #expect(rows["C"] == nil && rows.count == 1)
        for id in 10..<1_000 { rows.keep(row(id, version: 1), for: "R\(id)") }
        #expect(rows.count == 2 && rows["R999"]?.row.id == 999 && rows["R998"]?.row.id == 998)
        // The policy and contact details go with every held row as last seen.
        let withLead = HeldRows(capacity: 4)
        let received = day("2026-11-20")
        withLead.keep(
            HeldRow(
                id: 5,
                record: RequestRecord(
                    kind: .foi, state: .inProgress, version: 2, received: received, calendar: .uk,
                    clock: StatutoryClock(received: received), due: nil, maxDue: nil, assignee: "asmith"),
                details: RequestDetails(requester: "J")), for: "E")
        #expect(withLead["E"]?.policy == nil && withLead["E"]?.lead == LeadContact())
        withLead.saw(policy: "refused", lead: LeadContact(name: "Ann", email: "ann@police.example"), of: "asmith")
        #expect(withLead["E"]?.policy == "refused" && withLead["E"]?.lead.name == "Ann")
        let none = HeldRows(capacity: -5)
        none.keep(row(1, version: 1), for: "A")
        #expect(none.capacity == 0 && none.count == 0)
    }

    private func letterBody(_ s: TwoServers, _ ref: String) async throws -> String {
        try await s.f.pool.query(
            "SELECT l.body FROM letters l JOIN requests r ON r.id = l.request_id WHERE r.ref = \(ref) AND l.template = 'clarification'"
        ).first?.decode(String.self, "body") ?? ""
    }
}
