import Dates
import Deadlines
import Formats
import Foundation
import Postgres
import Store
import TestSupport
import Testing
import Workflow

/// The application role (migration 0018): everything the workflow does works; changing
/// history does not.
@Suite(.requiresDatabase) struct LeastPrivilegeTests {
    @Test func theApplicationRoleWorksButCannotRewriteHistory() async throws {
        let owner = try await TestDatabase.migratedPool("leastpriv")
        defer { Task { await owner.shutdown() } }
        let login = "foiflow_t_\(UInt32.random(in: 0...UInt32.max))"
        try await owner.query(PostgresQuery(unsafeSQL: "CREATE ROLE \(login) LOGIN IN ROLE foiflow_app"))
        defer { Task { _ = try? await owner.query(PostgresQuery(unsafeSQL: "DROP OWNED BY \(login); DROP ROLE \(login)")) } }
        let url = owner.configuration.url.replacingOccurrences(of: "://postgres@", with: "://\(login)@")
        try #require(url.contains(login), "unexpected test URL \(owner.configuration.url)")
        let app = PostgresPool(url: url, maxConnections: 2)
        defer { Task { await app.shutdown() } }
        #expect(try await app.query("SELECT current_user AS u").first?.decode(String.self, "u") == login)

        // The workflow: users, requests, actions with letters and grounds, holidays, an import.
        let officer = try #require(try await UserStore(pool: app).add(login: "asmith", role: .officer, email: "a@example.org"))
        let store = RequestStore(pool: app, calendars: CalendarCache(store: HolidayStore(pool: app), maxAge: .zero))
        let actor = Actor(login: officer.user.login, role: .officer)
        let today = try #require(CivilDate(iso: "2026-11-23"))
        let created = try await store.create(
            kind: .foi, fields: [Field("received", "2026-11-02"), Field("requester", "R"), Field("email", "r@example.org")], by: actor,
            today: today)
        let answered = try await store.act(
            ref: created.ref, action: .respond, fields: [Field("outcome", "refused"), Field("exemptions", "s31")], by: actor, today: today)
        #expect(answered.state == .responded)
        let holiday = Holiday(date: try #require(CivilDate(iso: "2027-06-07")), division: .englandAndWales, title: "Extra day")
        _ = try await HolidayStore(pool: app).add(holiday, actor: "admin")
        let file = BacklogFile(data: Data("kind,received,requester\nfoi,2026-10-05,R\n".utf8))
        let imported = try await BacklogImport(pool: app, calendars: CalendarCache(store: HolidayStore(pool: app))).run(
            file, by: Actor(login: "asmith", role: .officer), today: today)
        #expect(imported.created == 1)

        // History cannot be changed, nor its guard switched off.
        let events = try await owner.query("SELECT count(*) AS n, string_agg(actor, ',' ORDER BY request_id, seq) AS actors FROM request_events")
            .first
        let before = (try events?.decode(Int.self, "n"), try events?.decode(String?.self, "actors"))
        #expect(before.0 == 3)
        for statement in [
            "UPDATE request_events SET actor = 'someone else'", "DELETE FROM request_events", "TRUNCATE request_events",
            "ALTER TABLE request_events DISABLE TRIGGER request_events_append_only", "SET session_replication_role = replica",
            "DELETE FROM holiday_changes", "DELETE FROM foiflow_migrations",
        ] {
            await #expect(throws: PostgresError.self, "\(statement)") { try await app.query(PostgresQuery(unsafeSQL: statement)) }
        }
        let after = try await owner.query("SELECT count(*) AS n, string_agg(actor, ',' ORDER BY request_id, seq) AS actors FROM request_events")
            .first
        #expect(try after?.decode(Int.self, "n") == before.0 && after?.decode(String?.self, "actors") == before.1)
    }
}
