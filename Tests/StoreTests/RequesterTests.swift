import Dates
import Deadlines
import Postgres
import Store
import TestSupport
import Testing
import Workflow

/// Issue 27: requests by the same person are one requester; a requester's history is shown to
/// managers for a reason, and every look is recorded; the record goes with the person's last request.
@Suite(.requiresDatabase) struct RequesterTests {
    func requesterIDs(_ pool: PostgresPool, _ refs: [String]) async throws -> [Int?] {
        var ids: [Int?] = []
        for ref in refs {
            ids.append(try await pool.query("SELECT requester_id FROM requests WHERE ref = \(ref)").first?.decode(Int?.self, "requester_id"))
        }
        return ids
    }

    @Test func oneEmailInTwoSpellingsIsOneRequesterAndNameWithAddressIsAnother() async throws {
        let f = try await RequestFixture("requesters")
        var refs: [String] = []
        for email in ["Jo.Bloggs@Example.org", "jo.bloggs@example.org", "JO.BLOGGS@example.ORG"] {
            refs.append(try await f.create(extra: [Field("email", email)]).ref)
        }
        let ids = try await requesterIDs(f.pool, refs)
        #expect(ids[0] != nil && Set(ids).count == 1, "\(ids)")
        // By post: the name and address together, spaces and case aside; a different name is someone else.
        let post = [
            try await f.store.create(
                kind: .foi, fields: [Field("received", "2026-11-20"), Field("requester", "Ann Lee"), Field("address", "1 High St, Leeds")],
                by: f.officer, today: f.today
            ).ref,
            try await f.store.create(
                kind: .sar, fields: [Field("received", "2026-11-21"), Field("requester", "ann  lee"), Field("address", "1 high st,  leeds")],
                by: f.officer, today: f.today
            ).ref,
            try await f.store.create(
                kind: .foi, fields: [Field("received", "2026-11-21"), Field("requester", "Bob Lee"), Field("address", "1 High St, Leeds")],
                by: f.officer, today: f.today
            ).ref,
        ]
        let postIDs = try await requesterIDs(f.pool, post)
        #expect(postIDs[0] == postIDs[1] && postIDs[0] != postIDs[2] && postIDs[0] != ids[0], "\(postIDs)")
        // Nothing to match on (a name alone): no requester.
        let bare = try await f.create().ref
        #expect(try await requesterIDs(f.pool, [bare]) == [nil])
        await f.shutdown()
    }

    @Test func onlyAManagerWithAReasonSeesTheHistoryAndTheLookIsRecorded() async throws {
        let f = try await RequestFixture("requester-history")
        let first = try await f.create(received: "2026-10-01", extra: [Field("email", "jo@example.org"), Field("subject", "Speed cameras")]).ref
        let second = try await f.create(received: "2026-11-02", extra: [Field("email", "Jo@Example.org"), Field("subject", "Stop and search")])
            .ref
        _ = try await f.create(extra: [Field("email", "someone.else@example.org")])
        // An officer may not look; a manager must say why; neither writes anything.
        await #expect(throws: WorkflowError.self) {
            _ = try await f.store.requesterHistory(ref: second, reason: "aggregation", by: f.officer, today: f.today)
        }
        for blank in ["", "   "] {
            await #expect(throws: WorkflowError.self) {
                _ = try await f.store.requesterHistory(ref: second, reason: blank, by: f.manager, today: f.today)
            }
        }
        #expect(try await f.eventCount(second) == 1)
        let others = try await f.store.requesterHistory(ref: second, reason: "s.12 aggregation check", by: f.manager, today: f.today)
        #expect(others == [RequesterRequest(ref: first, kind: .foi, received: day("2026-10-01"), state: .received, subject: "Speed cameras")])
        // The look is an event: who and why (the reason kept with the notes, shown by HISTORY).
        let history = try await f.store.history(ref: second)
        #expect(history.last?.action == "requester-viewed" && history.last?.actor == "bkhan")
        #expect(history.last?.fields == [Field("reason", "s.12 aggregation check")])
        // The reason is personal data: kept with the notes, not in the event.
        let stored = try await f.pool.query(
            "SELECT fields::text AS f FROM request_events e JOIN requests r ON r.id = e.request_id WHERE r.ref = \(second) AND e.seq = 2"
        ).first?.decode(String.self, "f")
        #expect(stored?.contains("s.12") == false, "\(stored ?? "")")
        // A manager kept to a team sees only what the team may see.
        try await f.pool.query("UPDATE requests SET team = 'south' WHERE ref = \(first)")
        let north = Actor(login: "nmanager", role: .manager, team: "north")
        _ = try await UserStore(pool: f.pool).add(login: "nmanager", role: .manager, team: "north")
        #expect(try await f.store.requesterHistory(ref: second, reason: "check", by: north, today: f.today).isEmpty)
        await f.shutdown()
    }

    @Test func mergeSplitAndTheRecordGoesWithTheLastRequest() async throws {
        let f = try await RequestFixture("requester-merge")
        let a = try await f.create(extra: [Field("email", "jo@example.org")]).ref
        let b = try await f.create(extra: [Field("email", "jo@work.example")]).ref
        #expect(Set(try await requesterIDs(f.pool, [a, b])).count == 2)
        #expect(try await f.store.mergeRequesters(a, with: b) == 2)
        // Later requests from either address go to the one requester.
        let c = try await f.create(extra: [Field("email", "JO@WORK.example")]).ref
        #expect(Set(try await requesterIDs(f.pool, [a, b, c])).count == 1)
        try await f.store.splitRequester(c)
        let ids = try await requesterIDs(f.pool, [a, b, c])
        #expect(ids[0] == ids[1] && ids[2] != ids[0] && ids[2] != nil)
        await #expect(throws: WorkflowError.self) { try await f.store.splitRequester(c) }
        await #expect(throws: WorkflowError.self) { _ = try await f.store.mergeRequesters(a, with: "FOI-2026-999999") }
        // Anonymised, a request belongs to nobody; the requester and its keys (the e-mails) go
        // with its last request.
        func count(_ table: String) async throws -> Int {
            try await f.pool.query("SELECT count(*) AS n FROM \(unescaped: table)").first?.decode(Int.self, "n") ?? -1
        }
        #expect(try await count("requesters") == 2)
        #expect(try await count("requester_keys") == 2)
        try await f.pool.query("UPDATE requests SET requester = 'anonymised', email = NULL, anonymised_on = '2026-12-01' WHERE ref = \(a)")
        #expect(try await count("requesters") == 2)
        try await f.pool.query("UPDATE requests SET requester = 'anonymised', email = NULL, anonymised_on = '2026-12-01' WHERE ref IN (\(b), \(c))")
        #expect(try await count("requesters") == 0)
        #expect(try await count("requester_keys") == 0)
        #expect(try await requesterIDs(f.pool, [a, b, c]) == [nil, nil, nil])
        await f.shutdown()
    }

    /// Item 6: an answered request of the same requester asking much the same is a hint on SHOW.
    @Test func aRepeatIsHintedNeverRefused() async throws {
        let f = try await RequestFixture("repeats")
        func create(_ subject: String, email: String, received: String) async throws -> String {
            try await f.store.create(
                kind: .foi, fields: [Field("received", received), Field("requester", "Jo"), Field("email", email), Field("subject", subject)],
                by: f.officer, today: f.today
            ).ref
        }
        let first = try await create("Speed cameras on the A1 near Leeds", email: "jo@example.org", received: "2026-09-01")
        let unanswered = try await create("Custody deaths in 2025", email: "jo@example.org", received: "2026-09-02")
        _ = try await f.store.act(ref: first, action: .respond, fields: [Field("outcome", "granted")], by: f.officer, today: f.today)
        let again = try await create("Speed cameras near Leeds on the A1", email: "JO@example.org", received: "2026-11-02")
        let custodyAgain = try await create("Deaths in custody in 2025", email: "jo@example.org", received: "2026-11-03")
        let other = try await create("Speed cameras on the A1 near Leeds", email: "someone@example.org", received: "2026-11-04")
        let different = try await create("Drones and helicopters", email: "jo@example.org", received: "2026-11-05")
        #expect(try await f.store.show(ref: again, today: f.today).possibleRepeat == first)
        #expect(try await f.store.show(ref: again, today: f.today).fields.contains(Field("possible_repeat", first)))
        // Not when the earlier one is not answered, another person asked, or the words differ.
        #expect(try await f.store.show(ref: custodyAgain, today: f.today).possibleRepeat == nil)
        #expect(try await f.store.show(ref: other, today: f.today).possibleRepeat == nil)
        #expect(try await f.store.show(ref: different, today: f.today).possibleRepeat == nil)
        #expect(try await f.store.show(ref: first, today: f.today).possibleRepeat == nil)
        _ = unanswered
        // A hint only: the repeat can be answered like any other.
        _ = try await f.store.act(ref: again, action: .respond, fields: [Field("outcome", "granted")], by: f.officer, today: f.today)
        await f.shutdown()
    }
}
