import Foundation
import Postgres
import Store
import TestSupport
import Testing

@Suite(.requiresDatabase) struct RequestCommandTests {
    @Test func createActShowHistory() async throws {
        let harness = try await ServerHarness()
        let client = try await harness.authenticatedClient(login: "asmith", role: .officer)
        #expect(
            try await client.call(#"CREATE foi received=2026-11-20 requester="Jane O'Neil" subject="Stop and search, 2025""#)
                == "OK ref=FOI-2026-000001 state=received due=2026-12-21 version=1")
        #expect(
            try await client.call("ACT FOI-2026-000001 assign to=asmith expect=1")
                == "OK ref=FOI-2026-000001 state=in_progress due=2026-12-21 version=2")
        #expect(
            try await client.call("ACT FOI-2026-000001 clarify on=2026-11-25 note=\"which year?\"")
                == "OK ref=FOI-2026-000001 state=awaiting_clarification version=3")
        #expect(
            try await client.call("ACT FOI-2026-000001 clarified on=2026-12-01")
                == "OK ref=FOI-2026-000001 state=in_progress due=2026-12-31 version=4")
        try client.send("SHOW FOI-2026-000001\n")
        let show = try await client.readReply()
        #expect(show.status == "OK")
        #expect(show.records.count == 1)
        let record = try #require(show.records.first)
        for part in [
            "* request ref=FOI-2026-000001 kind=foi state=in_progress received=2026-11-20 due=2026-12-31 version=4",
            "days_left=20", "assignee=asmith", #"requester="Jane O'Neil""#, #"subject="Stop and search, 2025""#,
        ] {
            #expect(record.contains(part), "\(record) lacks \(part)")
        }
        try client.send("HISTORY FOI-2026-000001\n")
        let history = try await client.readReply()
        #expect(history.status == "OK count=4")
        #expect(
            history.records.map { $0.components(separatedBy: " action=")[1].split(separator: " ")[0] } == [
                "create", "assign", "clarify", "clarified",
            ])
        #expect(history.records[1].contains("from=received to=in_progress") && history.records[1].contains("assignee=asmith"))
        #expect(history.records[2].contains(#"note="which year?""#))
        #expect(history.records[0].contains("seq=1 at=20") && history.records[0].contains("Z actor=asmith"))
        try await harness.stop()
    }

    @Test func everyRequestErrorCodeIsReachable() async throws {
        let harness = try await ServerHarness()
        let officer = try await harness.authenticatedClient(login: "asmith", role: .officer)
        let auditor = try await harness.authenticatedClient(login: "audit", role: .auditor)
        #expect(try await officer.call("CREATE foi received=2026-11-20 requester=J idempotency=k1").hasPrefix("OK ref=FOI-2026-000001 "))
        let cases: [(LineClient, String, String)] = [
            (
                officer, "CREATE foi received=2026-11-20 requester=J idempotency=k1",
                "OK ref=FOI-2026-000001 state=received due=2026-12-21 version=1 replayed=true"
            ),
            (officer, "CREATE foi received=2026-11-21 requester=J idempotency=k1", "ERR IDEMPOTENCY_MISMATCH "),
            (officer, "CREATE parking received=2026-11-20 requester=J", "ERR BAD_ARGUMENT "),
            (officer, "CREATE foi received=2026-12-25 requester=J", "ERR BAD_ARGUMENT "),
            (officer, "CREATE foi requester=J", "ERR BAD_ARGUMENT "),
            (officer, "CREATE foi received=2026-11-20 requester=J shoe=9", "ERR BAD_ARGUMENT "),
            (officer, "CREATE review received=2026-11-20 requester=J parent=FOI-2026-999999", "ERR NOT_FOUND "),
            (officer, "CREATE review received=2026-11-20 requester=J parent=SAR-2026-000001", "ERR BAD_ARGUMENT "),
            (officer, "CREATE review received=2026-11-20 requester=J parent=bogus", "ERR BAD_ARGUMENT "),
            (auditor, "CREATE foi received=2026-11-20 requester=J", "ERR DENIED "),
            (auditor, "ACT FOI-2026-000001 withdraw", "ERR DENIED "),
            (officer, "ACT FOI-2026-000001 extend reason=x", "ERR DENIED "),
            (officer, "ACT FOI-2026-000001 submit expect=9", "ERR CONFLICT "),
            (officer, "ACT FOI-2026-000001 approve", "ERR DENIED "),
            (officer, "ACT FOI-2026-000001 close", "ERR INVALID_TRANSITION "),
            (officer, "ACT FOI-2026-000001 frobnicate", "ERR BAD_ARGUMENT "),
            (officer, "ACT FOI-2026-000001 respond", "ERR BAD_ARGUMENT "),
            (officer, "ACT FOI-2026-000001 submit expect=abc", "ERR BAD_ARGUMENT "),
            (officer, "ACT FOI-2026-999999 submit", "ERR NOT_FOUND "),
            (officer, "SHOW FOI-2026-999999", "ERR NOT_FOUND "),
            (officer, "HISTORY FOI-2026-999999", "ERR NOT_FOUND "),
            (officer, "SHOW", "ERR BAD_ARGUMENT "),
            (officer, "LIST state=nowhere", "ERR BAD_ARGUMENT "),
            (officer, "LIST limit=1001", "ERR BAD_ARGUMENT "),
            (officer, "RISK within=-1", "ERR BAD_ARGUMENT "),
            (auditor, "SHOW FOI-2026-000001", "OK"),
            (auditor, "RISK", "OK count=0"),
        ]
        for (client, line, prefix) in cases {
            let status = try await client.call(line)
            #expect(status.hasPrefix(prefix), "\(line) -> \(status)")
        }
        // Nothing above changed the request.
        try officer.send("HISTORY FOI-2026-000001\n")
        #expect(try await officer.readReply().status == "OK count=1")
        try await harness.stop()
    }

    @Test func listPagesAndRiskOrders() async throws {
        let harness = try await ServerHarness()
        let client = try await harness.authenticatedClient(login: "bkhan", role: .manager)
        for received in ["2026-10-01", "2026-11-03", "2026-11-30", "2026-11-20", "2026-11-27"] {
            #expect(try await client.call("CREATE foi received=\(received) requester=R").hasPrefix("OK "))
        }
        try client.send("#p1 LIST limit=2\n")
        let page1 = try await client.readReply()
        #expect(page1.status == "#p1 OK count=2 next=FOI-2026-000002")
        try client.send("LIST limit=2 after=FOI-2026-000002\n")
        #expect(try await client.readReply().status == "OK count=2 next=FOI-2026-000004")
        try client.send("LIST limit=2 after=FOI-2026-000004\n")
        let last = try await client.readReply()
        #expect(last.status == "OK count=1" && last.records.first?.contains("ref=FOI-2026-000005") == true)
        try client.send("RISK within=5\n")
        let risk = try await client.readReply()
        #expect(risk.status == "OK count=2")
        #expect(
            risk.records.first?.hasPrefix(
                "* request ref=FOI-2026-000001 kind=foi state=received received=2026-10-01 due=2026-10-29 version=1 days_left=-22") == true)
        #expect(risk.records.last?.contains("ref=FOI-2026-000002") == true && risk.records.last?.contains("days_left=1") == true)
        try await harness.stop()
    }

    @Test func concurrentWritersSeeOnlyOKOrConflict() async throws {
        let harness = try await ServerHarness()
        let setup = try await harness.authenticatedClient(login: "bkhan", role: .manager)
        #expect(try await setup.call("CREATE foi received=2026-11-20 requester=R").hasPrefix("OK "))
        let token = try #require(try await UserStoreHelper.token(harness, login: "cjones"))
        let port = harness.port
        let statuses = try await withThrowingTaskGroup(of: [String].self) { group in
            for _ in 0..<6 {
                group.addTask {
                    let client = try LineClient(port: port)
                    _ = try await client.call("AUTH \(token)")
                    var seen: [String] = []
                    for _ in 0..<5 {
                        try client.send("SHOW FOI-2026-000001\n")
                        let show = try await client.readReply()
                        let version = show.records.first?.components(separatedBy: " version=")[1].split(separator: " ")[0] ?? "0"
                        seen.append(try await client.call("ACT FOI-2026-000001 assign to=cjones expect=\(version)"))
                    }
                    return seen
                }
            }
            var all: [String] = []
            for try await seen in group { all += seen }
            return all
        }
        #expect(statuses.allSatisfy { $0.hasPrefix("OK ") || $0.hasPrefix("ERR CONFLICT ") }, "\(statuses)")
        let successes = statuses.filter { $0.hasPrefix("OK ") }.count
        #expect(successes >= 1)
        try setup.send("HISTORY FOI-2026-000001\n")
        #expect(try await setup.readReply().status == "OK count=\(1 + successes)")
        try await harness.stop()
    }
}

enum UserStoreHelper {
    static func token(_ harness: ServerHarness, login: String) async throws -> String? {
        try await Store.UserStore(pool: harness.pool).add(login: login, role: .manager)?.token
    }
}

@Suite(.requiresDatabase) struct TimeoutTests {
    @Test func aStatementPastTheTimeLimitIsTimeoutAndChangesNothing() async throws {
        let harness = try await ServerHarness(statementTimeoutMs: 1500)
        let client = try await harness.authenticatedClient(login: "bkhan", role: .manager)
        #expect(try await client.call("CREATE foi received=2026-11-20 requester=R").hasPrefix("OK "))
        // Another session holds the row.
        let blocker = try Postgres.PostgresConnection(url: harness.databaseURL)
        try blocker.query("BEGIN")
        try blocker.query("SELECT 1 FROM requests WHERE ref = $1 FOR UPDATE", ["FOI-2026-000001"])
        #expect(try await client.call("ACT FOI-2026-000001 assign to=bkhan").hasPrefix("ERR TIMEOUT "))
        try blocker.query("ROLLBACK")
        blocker.close()
        // Nothing was changed, and the next try goes through.
        try client.send("HISTORY FOI-2026-000001\n")
        #expect(try await client.readReply().status == "OK count=1")
        #expect(try await client.call("ACT FOI-2026-000001 assign to=bkhan") == "OK ref=FOI-2026-000001 state=in_progress due=2026-12-21 version=2")
        try await harness.stop()
    }
}
