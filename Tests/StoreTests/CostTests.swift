import Dates
import Deadlines
import Postgres
import Store
import TestSupport
import Testing
import Workflow

/// Issue 27, item 5: estimates, aggregation within one window of 60 working days, COST, and an
/// s.12 refusal only above the limit.
@Suite(.requiresDatabase) struct CostTests {
    @Test func aggregationIsCheckedAndAnS12RefusalNeedsTheLimitExceeded() async throws {
        let f = try await RequestFixture("costs")
        func create(_ received: String, email: String, kind: RequestKind = .foi) async throws -> String {
            try await f.store.create(
                kind: kind,
                fields: [Field("received", received), Field("requester", "Jo"), Field("email", email), Field("calendar", "england-and-wales")],
                by: f.officer,
                today: f.today
            ).ref
        }
        func act(_ ref: String, _ action: Action, _ fields: [Field]) async throws {
            _ = try await f.store.act(ref: ref, action: action, fields: fields, by: f.officer, today: f.today)
        }
        // On england-and-wales, the window opened on Mon 2026-06-01 ends Fri 2026-08-21.
        let a = try await create("2026-06-01", email: "jo@example.org")
        let b = try await create("2026-08-21", email: "JO@example.org")
        let late = try await create("2026-08-24", email: "jo@example.org")
        let friend = try await create("2026-07-01", email: "friend@example.org")
        let sar = try await create("2026-07-01", email: "jo@example.org", kind: .sar)

        // Estimates: the four activities only, in quarter hours, FOI only.
        try await act(a, .estimate, [Field("activity", "Locate"), Field("hours", "10")])
        try await act(b, .estimate, [Field("activity", "extract"), Field("hours", "9.5"), Field("note", "three archives")])
        for (ref, fields) in [
            (a, [Field("activity", "redact"), Field("hours", "4")]), (a, [Field("activity", "locate"), Field("hours", "0.3")]),
            (sar, [Field("activity", "locate"), Field("hours", "4")]),
        ] {
            await #expect(throws: WorkflowError.self, "\(ref) \(fields)") { try await act(ref, .estimate, fields) }
        }
        var report = try await f.store.cost(ref: a, scope: nil)
        #expect(report.lines.map(\.ref) == [a] && report.quarters == 40 && report.limit == 450 && !report.exceeded)

        // Alone, £250 of £450: an s.12 refusal is refused, and nothing is written.
        let respondS12 = [Field("outcome", "refused"), Field("exemptions", "s12"), Field("reason", "over the limit")]
        _ = try await f.store.act(ref: a, action: .assign, fields: [Field("to", "asmith")], by: f.officer, today: f.today)
        let events = try await f.eventCount(a)
        await #expect(throws: WorkflowError.self) { try await act(a, .respond, respondS12) }
        #expect(try await f.eventCount(a) == events)

        // Aggregation: the same requester inside the window; refused for one outside it, a
        // SAR, someone else not linked, or itself.
        let refusals: [(String, String)] = [(late, "2026-08-24"), (sar, "not a FOI request"), (friend, "nor linked in-concert"), (a, "itself")]
        for (other, why) in refusals {
            do {
                try await act(a, .aggregate, [Field("with", "\(b),\(other)")])
                Issue.record("aggregating \(other) was accepted")
            } catch let error as WorkflowError {
                #expect("\(error)".contains(why) && (why == "itself" || "\(error)".contains(other)), "\(error)")
            }
        }
        #expect(try await f.eventCount(a) == events)
        // Linked in-concert, someone else's request joins.
        try await act(friend, .link, [Field("to", a), Field("type", "in-concert")])
        try await act(friend, .estimate, [Field("activity", "determine"), Field("hours", "0.25")])
        try await act(a, .aggregate, [Field("with", "\(b), \(friend)")])
        report = try await f.store.cost(ref: a, scope: nil)
        #expect(report.lines.map(\.ref) == [a, friend, b])
        #expect(report.lines.map(\.quarters) == [40, 1, 38] && report.quarters == 79 && report.exceeded)
        #expect(
            report.fields.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
                == "hours=19.75 amount=493.75 limit=450 exceeded=true window_from=2026-06-01 window_to=2026-08-21")
        // Now the refusal stands; with a higher limit it would not.
        try await PolicyStore(pool: f.pool).setCostLimit(600, by: "root")
        await #expect(throws: WorkflowError.self) { try await act(a, .respond, respondS12) }
        try await PolicyStore(pool: f.pool).setCostLimit(450, by: "root")
        try await act(a, .respond, respondS12)
        #expect(try await f.store.show(ref: a, today: f.today).exemptions == "s12")
        // The refusal notice gives the estimate, the limit and advice to narrow the request (s.16).
        let refusal = try await LetterStore(pool: f.pool).letters(ref: a).last
        #expect(refusal?.body.contains("we estimate 19.75\nhours") == true && refusal?.body.contains("£493.75") == true, "\(refusal?.body ?? "")")
        #expect(refusal?.body.contains("limit of £450") == true && refusal?.body.contains("FOIA s.16") == true)
        await f.shutdown()
    }
}
