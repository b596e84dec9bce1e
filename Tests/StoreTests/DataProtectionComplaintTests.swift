import Dates
import Deadlines
import Postgres
import Statistics
import Store
import TestSupport
import Testing
import Workflow

/// Issue 27, item 7: kind `dpc` through the database: its reference, its 30-day date, the
/// acknowledgement that stops it (then the published commitment, if any), its letters, and
/// statistics kept apart from FOI's.
@Suite(.requiresDatabase) struct DataProtectionComplaintTests {
    @Test func acknowledgedWithinThirtyDaysThenAnsweredWithTheRightToGoToTheICO() async throws {
        let f = try await RequestFixture("dpc")
        func create(_ received: String) async throws -> ChangeResult {
            try await f.store.create(
                kind: .dpc,
                fields: [Field("received", received), Field("requester", "Jo"), Field("email", "jo@example.org"), Field("subject", "My data")],
                by: f.officer, today: f.today)
        }
        let july = try await create("2026-07-01")
        #expect(july.ref == "DPC-2026-000001" && july.due == day("2026-07-31"))
        #expect(try await create("2026-10-02").due == day("2026-11-02"))
        let late = try await create("2026-11-25")
        #expect(late.due == day("2026-12-29"))
        // Only a dpc is acknowledged; once.
        let foi = try await f.create().ref
        await #expect(throws: WorkflowError.self) {
            _ = try await f.store.act(ref: foi, action: .acknowledge, fields: [], by: f.officer, today: f.today)
        }
        // No commitment published: nothing is due once acknowledged.
        let acknowledged = try await f.store.act(
            ref: late.ref, action: .acknowledge, fields: [Field("on", "2026-11-30")], by: f.officer, today: f.today)
        #expect(acknowledged.due == nil)
        await #expect(throws: WorkflowError.self) {
            _ = try await f.store.act(ref: late.ref, action: .acknowledge, fields: [], by: f.officer, today: f.today)
        }
        // With one, its date is due next.
        try await CommitmentStore(pool: f.pool).set(Commitment(unit: .workingDays, amount: 20, text: "20 working days"), for: .dpc)
        let withCommitment = try await f.store.act(
            ref: july.ref, action: .acknowledge, fields: [Field("on", "2026-07-10")], by: f.officer, today: f.today)
        #expect(withCommitment.due == day("2026-07-29"))
        #expect(try await f.store.history(ref: july.ref).last?.action == "acknowledge")
        // The answer names the right to complain to the ICO under the DPA, not a FOI review.
        _ = try await f.store.act(ref: july.ref, action: .respond, fields: [Field("outcome", "granted")], by: f.officer, today: f.today)
        let answer = try await LetterStore(pool: f.pool).letters(ref: july.ref).last
        #expect(
            answer?.body.contains("Data Protection Act 2018 s.165") == true && answer?.body.contains("internal review") == false,
            "\(answer?.body ?? "")")
        // Kept apart from FOI's figures unless asked for.
        let stats = StatsStore(pool: f.pool)
        let foiOnly = try await stats.report(from: day("2026-07-01"), to: day("2026-11-30"), asOf: f.today, kinds: [.foi, .eir])
        let dpcOnly = try await stats.report(from: day("2026-07-01"), to: day("2026-11-30"), asOf: f.today, kinds: [.dpc])
        #expect(foiOnly.figures.received == 1 && dpcOnly.figures.received == 3, "\(foiOnly.figures) \(dpcOnly.figures)")
        await f.shutdown()
    }
}
