import Dates
import Deadlines
import Postgres
import Store
import TestSupport
import Testing
import Workflow

/// Issue 27, item 3: full-text search over reference, subject and the free text of actions,
/// ranked, team-scoped, and forgetting what anonymisation removes.
@Suite(.requiresDatabase) struct SearchTests {
    @Test func wordsFindRequestsRankedWithinTheTeamAndNotWhatWasErased() async throws {
        let f = try await RequestFixture("search")
        func create(_ subject: String, received: String = "2026-11-20", team: String? = nil, kind: RequestKind = .foi) async throws -> String {
            try await f.store.create(
                kind: kind,
                fields: [Field("received", received), Field("requester", "R"), Field("subject", subject)] + (team.map { [Field("team", $0)] } ?? []),
                by: f.admin, today: f.today
            ).ref
        }
        let cameras = try await create("Speed cameras on the A1 near Leeds")
        let search = try await create("Stop and search figures for 2025", received: "2026-10-01")
        let south = try await create("Speed camera fines", team: "south")
        let sar = try await create("My own records", kind: .sar)
        _ = try await f.store.act(
            ref: search, action: .assign, fields: [Field("to", "asmith"), Field("note", "Custody records needed from Leeds")], by: f.admin,
            today: f.today)
        func refs(_ query: SearchQuery, scope: String? = nil) async throws -> [String] {
            try await f.store.search(query, scope: scope).map(\.ref)
        }
        // Stems: "camera" finds "cameras"; every team's for the operator, one team's for a team.
        #expect(try await refs(SearchQuery(text: "camera")).sorted() == [cameras, south].sorted())
        #expect(try await refs(SearchQuery(text: "camera"), scope: "north") == [cameras])
        // A request moved to another team is found by that team's searches.
        try await f.pool.query("UPDATE requests SET team = 'north' WHERE ref = \(south)")
        #expect(try await refs(SearchQuery(text: "camera"), scope: "north").sorted() == [cameras, south].sorted())
        try await f.pool.query("UPDATE requests SET team = 'south' WHERE ref = \(south)")
        // A note's words are found too; the subject weighs more than a note.
        #expect(try await refs(SearchQuery(text: "custody")) == [search])
        #expect(try await refs(SearchQuery(text: "Leeds")) == [cameras, search])
        // Phrases, exclusions, filters.
        #expect(try await refs(SearchQuery(text: "\"stop and search\"")) == [search])
        #expect(try await refs(SearchQuery(text: "camera -fines")) == [cameras])
        #expect(try await refs(SearchQuery(text: "records", kind: .sar)) == [sar])
        #expect(try await refs(SearchQuery(text: "leeds", from: day("2026-11-01"))) == [cameras])
        #expect(try await refs(SearchQuery(text: "leeds", to: day("2026-10-31"))) == [search])
        #expect(try await refs(SearchQuery(text: "leeds", state: .inProgress)) == [search])
        #expect(try await refs(SearchQuery(text: "leeds", limit: 1)) == [cameras])
        // A reference typed exactly comes first, whatever its words.
        let exact = try await f.store.search(SearchQuery(text: search.lowercased()), scope: nil)
        #expect(exact.first?.ref == search && exact.first?.rank == 1)
        #expect(exact.first?.fields.map(\.key) == SearchHit.columns)
        // Bad queries are refused.
        for bad in [
            SearchQuery(text: "  "), SearchQuery(text: "x", limit: 0), SearchQuery(text: "x", from: day("2026-02-01"), to: day("2026-01-01")),
        ] {
            await #expect(throws: WorkflowError.self) { _ = try await f.store.search(bad, scope: nil) }
        }
        // Anonymised: found by its reference only; nothing of its words stays in the index.
        try await f.pool.query("DELETE FROM request_event_notes WHERE request_id = (SELECT id FROM requests WHERE ref = \(search))")
        try await f.pool.query(
            "UPDATE requests SET requester = 'anonymised', subject = NULL, anonymised_on = '2026-12-01' WHERE ref = \(search)")
        #expect(try await refs(SearchQuery(text: "custody")).isEmpty)
        #expect(try await refs(SearchQuery(text: "stop search")).isEmpty)
        #expect(try await refs(SearchQuery(text: search)) == [search])
        let doc =
            try await f.pool.query(
                "SELECT s.doc::text AS d FROM request_search s JOIN requests r ON r.id = s.request_id WHERE r.ref = \(search)"
            ).first?.decode(String.self, "d") ?? ""
        #expect(!doc.contains("custodi") && !doc.contains("leed") && !doc.contains("stop"), "\(doc)")
        await f.shutdown()
    }

    /// A CREATE's own note is searchable (its event is written in the statement that makes the
    /// request's document).
    @Test func aNoteGivenAtCreateIsFound() async throws {
        let f = try await RequestFixture("search-create")
        let ref = try await f.store.create(
            kind: .foi, fields: [Field("received", "2026-11-20"), Field("requester", "R"), Field("note", "Came in by hand at Wakefield")],
            by: f.officer, today: f.today
        ).ref
        #expect(try await f.store.search(SearchQuery(text: "wakefield"), scope: nil).map(\.ref) == [ref])
        await f.shutdown()
    }
}
