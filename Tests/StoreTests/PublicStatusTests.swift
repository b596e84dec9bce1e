import Dates
import Letters
import Postgres
import Store
import TestSupport
import Testing
import Workflow

/// The public status page's one read: the request, its lead and the letters sent, by reference
/// and access code.
@Suite(.requiresDatabase) struct PublicStatusTests {
    @Test func oneReadGivesTheRequestAndItsLettersInOrder() async throws {
        let f = try await RequestFixture("publicstatus")
        let made = try await f.create(extra: [Field("email", "r@example.net"), Field("contact", "email")])
        let code = try #require(made.accessCode)
        // The acknowledgement (a task here: no unit details are set) done by hand; a letter sent
        // later by post; and a task, which the public do not see.
        try await f.pool.query(
            "UPDATE letters SET status = 'done' FROM requests r WHERE r.id = letters.request_id AND r.ref = \(made.ref)")
        try await f.pool.query(
            """
            INSERT INTO letters (request_id, template, channel, status, recipient, subject, body, sent_at)
            SELECT id, 'clarification', 'post', 'sent', NULL, 's', 'b', '2026-11-27 23:30+00' FROM requests WHERE ref = \(made.ref)
            """)
        try await f.pool.query(
            """
            INSERT INTO letters (request_id, template, channel, status, recipient, subject, body)
            SELECT id, 'refusal', 'post', 'task', NULL, 's', 'b' FROM requests WHERE ref = \(made.ref)
            """)
        let store = PublicStore(pool: f.pool)
        let unit = LeadContact(name: "Disclosure Unit", email: "foi@example.org")
        let status = try #require(try await store.status(ref: made.ref, code: code, unit: unit))
        #expect(status.ref == made.ref && status.state == .received && status.lead == unit)
        #expect(status.letters.map(\.type) == [.acknowledgement, .clarification], "\(status.letters)")
        #expect(status.letters.map(\.status) == ["done", "sent"])
        // Sent at 23:30 UTC on 27 November: the 27th in London (GMT then).
        #expect(status.letters.last?.on == CivilDate(iso: "2026-11-27"))
        #expect(try await store.status(ref: made.ref, code: "WRONG-CODE", unit: unit) == nil)
        await f.pool.shutdown()
    }
}
