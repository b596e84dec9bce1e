import Dates
import Deadlines
import Postgres
import Store
import TestSupport
import Testing
import Workflow

/// Issue 27, item 4: two requests linked, from either end; both get the event, SHOW lists the
/// link on both, and bad links write nothing.
@Suite(.requiresDatabase) struct LinkTests {
    @Test func aLinkIsOnBothRequestsAndComesOffAgain() async throws {
        let f = try await RequestFixture("links")
        let a = try await f.create().ref
        let b = try await f.create().ref
        let c = try await f.create(.sar).ref
        _ = try await f.store.act(
            ref: a, action: .link, fields: [Field("to", b), Field("type", "In-Concert"), Field("note", "same campaign")], by: f.officer,
            today: f.today)
        _ = try await f.store.act(ref: c, action: .link, fields: [Field("to", a), Field("type", "related")], by: f.officer, today: f.today)
        #expect(try await f.store.show(ref: a, today: f.today).links == "\(b):in-concert,\(c):related")
        #expect(try await f.store.show(ref: b, today: f.today).links == "\(a):in-concert")
        let onB = try await f.store.history(ref: b)
        #expect(onB.last?.action == "link" && onB.last?.fields == [Field("ref", a), Field("type", "in-concert")], "\(onB)")
        let onA = try await f.store.history(ref: a)
        #expect(onA[1].fields == [Field("to", b), Field("type", "in-concert"), Field("note", "same campaign")], "\(onA[1])")

        // Refused, and nothing written: the same link again (from either end), itself, an
        // unknown or malformed reference, an unknown type, taking away a link not there.
        let before = try await f.eventCount(a) + f.eventCount(b)
        let refused: [(String, Action, [Field])] = [
            (b, .link, [Field("to", a), Field("type", "in-concert")]),
            (a, .link, [Field("to", a), Field("type", "related")]),
            (a, .link, [Field("to", "FOI-2026-999999"), Field("type", "related")]),
            (a, .link, [Field("to", "nonsense"), Field("type", "related")]),
            (a, .link, [Field("to", b), Field("type", "cousin")]),
            (a, .unlink, [Field("to", b), Field("type", "duplicate")]),
        ]
        for (ref, action, fields) in refused {
            await #expect(throws: WorkflowError.self, "\(action) \(fields)") {
                _ = try await f.store.act(ref: ref, action: action, fields: fields, by: f.officer, today: f.today)
            }
        }
        #expect(try await f.eventCount(a) + f.eventCount(b) == before)

        // Taken away from the other end: both requests get the event.
        _ = try await f.store.act(ref: b, action: .unlink, fields: [Field("to", a), Field("type", "in-concert")], by: f.officer, today: f.today)
        #expect(try await f.store.show(ref: a, today: f.today).links == "\(c):related")
        #expect(try await f.store.show(ref: b, today: f.today).links == nil)
        #expect(try await f.store.history(ref: a).last?.action == "unlink")

        // Another team's request cannot be linked to (nor found that way).
        try await f.pool.query("UPDATE requests SET team = 'south' WHERE ref = \(b)")
        let north = Actor(login: "nofficer", role: .officer, team: "north")
        _ = try await UserStore(pool: f.pool).add(login: "nofficer", role: .officer, team: "north")
        await #expect(throws: WorkflowError.notFound("to=\(b): no such request")) {
            _ = try await f.store.act(ref: a, action: .link, fields: [Field("to", b), Field("type", "related")], by: north, today: f.today)
        }
        // ...and its links are not shown to that team.
        #expect(try await f.store.show(ref: c, today: f.today, scope: "north").links == "\(a):related")
        await f.shutdown()
    }
}
