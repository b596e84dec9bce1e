import Foundation
import TestSupport
import Testing

/// `EXPLAIN ref` over the protocol (PROTOCOL.md, Casework commands).
@Suite(.requiresDatabase) struct ExplainCommandTests {
    @Test func explainsAPlainFOIAndAgreesWithShow() async throws {
        let harness = try await ServerHarness()
        let client = try await harness.authenticatedClient(login: "asmith", role: .manager)
        #expect(try await client.call("CREATE foi received=2026-11-20 requester=R").hasPrefix("OK ref=FOI-2026-000001 "))
        try client.send("#e1 EXPLAIN FOI-2026-000001\n")
        let reply = try await client.readReply()
        #expect(reply.status.hasPrefix("#e1 OK ref=FOI-2026-000001 due=2026-12-21 rule="), "\(reply.status)")
        #expect(reply.status.hasSuffix(" calendar=uk"))
        #expect(reply.records.count == 32)
        #expect(reply.records.first == "* day date=2026-11-20 count=0 note=received")
        #expect(reply.records.contains(#"* day date=2026-11-30 skip="St Andrew's Day""#))
        #expect(reply.records.last == "* day date=2026-12-21 count=20 note=due")
        try client.send("SHOW FOI-2026-000001\n")
        #expect(try await client.readReply().records.first?.contains(" due=2026-12-21 ") == true)
        try await harness.stop()
    }

    @Test func feePeriodsStoppedClocksAndBackDatedExtensions() async throws {
        let harness = try await ServerHarness(today: "2026-12-23")
        let client = try await harness.authenticatedClient(login: "bkhan", role: .manager)
        // A fee period: notice and payment days are both disregarded.
        #expect(try await client.call("CREATE foi received=2026-08-03 requester=R").hasPrefix("OK ref=FOI-2026-000001 "))
        #expect(try await client.call("ACT FOI-2026-000001 fee-notice on=2026-08-07").hasPrefix("OK "))
        #expect(
            try await client.call("ACT FOI-2026-000001 fee-paid on=2026-08-18") == "OK ref=FOI-2026-000001 state=in_progress due=2026-09-11 version=3"
        )
        try client.send("EXPLAIN FOI-2026-000001\n")
        let fee = try await client.readReply()
        #expect(fee.records.contains(#"* day date=2026-08-07 skip="clock stopped: awaiting fee" note="fee notice""#))
        #expect(fee.records.last == "* day date=2026-09-11 count=20 note=due")
        // A request whose clock is stopped now: explained up to today, due=none.
        #expect(try await client.call("CREATE foi received=2026-12-14 requester=R").hasPrefix("OK ref=FOI-2026-000002 "))
        #expect(try await client.call("ACT FOI-2026-000002 clarify on=2026-12-16").hasPrefix("OK "))
        try client.send("EXPLAIN FOI-2026-000002\n")
        let stopped = try await client.readReply()
        #expect(stopped.status.hasPrefix("OK ref=FOI-2026-000002 due=none "))
        #expect(stopped.records.last == #"* day date=2026-12-23 skip="clock stopped: awaiting clarification""#)
        // Back-dated extension: decided on the due date, recorded two days later.
        #expect(try await client.call("CREATE foi received=2026-11-20 requester=R").hasPrefix("OK ref=FOI-2026-000003 "))
        #expect(
            try await client.call("ACT FOI-2026-000003 extend reason=pit exemptions=s31 days=5 on=2026-12-22").hasPrefix("ERR INVALID_TRANSITION "))
        #expect(try await client.call("ACT FOI-2026-000003 extend reason=pit exemptions=s21 days=5 on=2026-12-21").hasPrefix("ERR BAD_ARGUMENT "))
        #expect(
            try await client.call("ACT FOI-2026-000003 extend reason=pit exemptions=\"s31, s40(2)\" days=5 on=2026-12-21")
                == "OK ref=FOI-2026-000003 state=received due=2026-12-30 version=2")
        try client.send("EXPLAIN FOI-2026-000003\n")
        let extended = try await client.readReply()
        #expect(extended.records.contains(#"* day date=2026-12-21 count=20 note="extended by 5 working days""#))
        #expect(extended.records.last == "* day date=2026-12-30 count=25 note=due")
        #expect(try await client.call("EXPLAIN FOI-2026-000099").hasPrefix("ERR NOT_FOUND "))
        #expect(try await client.call("EXPLAIN").hasPrefix("ERR BAD_ARGUMENT "))
        try await harness.stop()
    }

    @Test func explainNeedsAuth() async throws {
        let harness = try await ServerHarness()
        #expect(try await harness.client().call("EXPLAIN FOI-2026-000001").hasPrefix("ERR AUTH_REQUIRED "))
        try await harness.stop()
    }
}
