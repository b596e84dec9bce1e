import Foundation
import TestSupport
import Testing

/// Issue 27, items 1 and 2, against the real binary: one requester from two spellings of an
/// e-mail; REQUESTER and `foiflow requester` only for managers with a reason, each look an
/// event and counted in /metrics.
@Suite(.requiresDatabase) struct RequesterCLITests {
    @Test func theHistoryIsForManagersWithAReasonAndEveryLookIsRecorded() async throws {
        let database = try await CLIDatabase.create("requestercli", users: [TestUser("asmith", "officer"), TestUser("bkhan", "manager")])
        let (url, env) = (database.url, database.env())
        let officerToken = database.tokens["asmith"] ?? ""
        let managerToken = database.tokens["bkhan"] ?? ""
        let metricsPort = freeLoopbackPort()
        let (server, port) = try await ServerResilienceTests.serve(url, extra: ["--metrics-listen", String(metricsPort)])
        let officer = try LineClient(port: port)
        let manager = try LineClient(port: port)
        #expect(try await officer.call("AUTH \(officerToken)").hasPrefix("OK "))
        #expect(try await manager.call("AUTH \(managerToken)").hasPrefix("OK "))
        for (day, email, subject) in [("2026-10-01", "Jo@Example.org", "Speed cameras"), ("2026-11-02", "jo@example.org", "Stop and search")] {
            #expect(try await officer.call("CREATE foi received=\(day) requester=Jo email=\(email) subject=\"\(subject)\"").hasPrefix("OK "))
        }
        #expect(try await officer.call("CREATE foi received=2026-11-03 requester=Al email=al@example.org").hasPrefix("OK "))

        #expect(try await officer.call("REQUESTER FOI-2026-000002 reason=curious").hasPrefix("ERR DENIED "))
        #expect(try await manager.call("REQUESTER FOI-2026-000002").hasPrefix("ERR BAD_ARGUMENT "))
        #expect(try await manager.call("REQUESTER FOI-2026-000002 reason=\"\"").hasPrefix("ERR BAD_ARGUMENT "))
        try manager.send("REQUESTER FOI-2026-000002 reason=\"s.12 aggregation\"\n")
        let reply = try await manager.readReply()
        #expect(reply.status == "OK count=1")
        #expect(
            reply.records == ["* request ref=FOI-2026-000001 kind=foi received=2026-10-01 state=received subject=\"Speed cameras\""],
            "\(reply.records)")

        // The CLI: the same rule, the same rows.
        let denied = try await Foiflow.run(["requester", "FOI-2026-000001", "--reason", "x", "--as", "asmith"], environment: env)
        #expect(denied.status != 0 && denied.stderr.contains("officer"), "\(denied.stderr)")
        let noReason = try await Foiflow.run(["requester", "FOI-2026-000001", "--as", "bkhan"], environment: env)
        #expect(noReason.status == 2, "\(noReason.stderr)")
        let listed = try await Foiflow.run(
            ["requester", "FOI-2026-000001", "--reason", "repeat request check", "--as", "bkhan", "--format", "csv"], environment: env)
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(listed.stdout == "ref,kind,received,state,subject\nFOI-2026-000002,foi,2026-11-02,received,Stop and search\n", "\(listed.stdout)")

        // Every look is on the record: who, and why.
        try manager.send("HISTORY FOI-2026-000001\n")
        let history = try await manager.readReply().records
        #expect(history.last?.contains("action=requester-viewed") == true && history.last?.contains("actor=bkhan") == true, "\(history)")
        #expect(history.last?.contains("reason=\"repeat request check\"") == true, "\(history)")
        let (_, samples) = try await MetricsTests.get("http://127.0.0.1:\(metricsPort)/metrics")
        #expect(samples["foiflow_requester_views{}"] == 2, "\(samples.keys.sorted())")
        #expect(samples["foiflow_commands_total{command=REQUESTER,result=ok}"] == 1)
        #expect(samples["foiflow_commands_total{command=REQUESTER,result=DENIED}"] == 1)

        // Links over the protocol: both requests carry them.
        #expect(try await officer.call("ACT FOI-2026-000003 link to=FOI-2026-000001 type=in-concert note=\"same campaign\"").hasPrefix("OK "))
        #expect(try await officer.call("ACT FOI-2026-000003 link to=FOI-2026-000001 type=in-concert").hasPrefix("ERR INVALID_TRANSITION "))
        #expect(try await officer.call("ACT FOI-2026-000003 link to=FOI-2026-000001 type=cousins").hasPrefix("ERR BAD_ARGUMENT "))
        try officer.send("SHOW FOI-2026-000001\n")
        #expect(try await officer.readReply().records.first?.contains(" links=FOI-2026-000003:in-concert") == true)

        // Search over the protocol and the CLI: words of subjects, best match first.
        try officer.send("SEARCH text=\"search\"\n")
        let found = try await officer.readReply()
        #expect(
            found.status == "OK count=1" && found.records.first?.hasPrefix("* request ref=FOI-2026-000002 kind=foi state=received") == true,
            "\(found)")
        #expect(try await officer.call("SEARCH").hasPrefix("ERR BAD_ARGUMENT "))
        #expect(try await officer.call("SEARCH text=x limit=1000").hasPrefix("ERR BAD_ARGUMENT "))
        let searched = try await Foiflow.run(["search", "speed", "camera", "--format", "csv"], environment: env)
        #expect(
            searched.status == 0
                && searched.stdout.hasPrefix("ref,kind,state,received,subject,rank\nFOI-2026-000001,foi,received,2026-10-01,Speed cameras,"),
            "\(searched)")
        #expect(try await Foiflow.run(["search", "x", "--limit", "0"], environment: env).status == 2)

        // Costs: estimates over the protocol, COST there and from the CLI, the limit a policy.
        #expect(try await officer.call("ACT FOI-2026-000001 estimate activity=locate hours=12.5").hasPrefix("OK "))
        #expect(try await officer.call("ACT FOI-2026-000002 estimate activity=extract hours=6").hasPrefix("OK "))
        #expect(try await officer.call("ACT FOI-2026-000002 estimate activity=redact hours=6").hasPrefix("ERR BAD_ARGUMENT "))
        #expect(try await officer.call("ACT FOI-2026-000001 aggregate with=FOI-2026-000002").hasPrefix("OK "))
        try officer.send("COST FOI-2026-000001\n")
        let cost = try await officer.readReply()
        #expect(
            cost.records == [
                "* cost ref=FOI-2026-000001 received=2026-10-01 hours=12.5 amount=312.50",
                "* cost ref=FOI-2026-000002 received=2026-11-02 hours=6 amount=150",
            ], "\(cost)")
        #expect(
            cost.status.hasPrefix("OK hours=18.5 amount=462.50 limit=450 exceeded=true window_from=2026-10-01 window_to=2026-12-2"), "\(cost.status)")
        #expect(try await Foiflow.run(["policy", "cost-limit", "0"], environment: env).status == 2)
        #expect(try await Foiflow.run(["policy", "cost-limit", "600"], environment: env).status == 0)
        let costed = try await Foiflow.run(["cost", "FOI-2026-000001", "--format", "text"], environment: env)
        #expect(costed.status == 0 && costed.stdout.contains("limit=600 exceeded=false"), "\(costed)")

        // Data-protection complaints: the ICO's three examples, over the protocol.
        for (received, due) in [("2026-07-01", "2026-07-31"), ("2026-10-02", "2026-11-02"), ("2026-11-25", "2026-12-29")] {
            let created = try await officer.call("CREATE dpc received=\(received) requester=Jo email=jo@example.org")
            #expect(created.hasPrefix("OK ref=DPC-2026-") && created.contains(" due=\(due) "), "\(created)")
            #expect(try await officer.call("DEADLINE dpc received=\(received)").contains("due=\(due)"))
        }
        #expect(try await officer.call("ACT DPC-2026-000003 acknowledge").hasPrefix("OK ref=DPC-2026-000003 state=received "))

        // Merging and splitting are an admin's.
        let merged = try await Foiflow.run(["requester", "merge", "FOI-2026-000001", "FOI-2026-000003"], environment: env)
        // Two FOI and three data-protection complaints of jo@, and the request merged in.
        #expect(merged.status == 0 && merged.stdout == "merged: the requester of FOI-2026-000001 now has 6 requests\n", "\(merged)")
        let split = try await Foiflow.run(["requester", "split", "FOI-2026-000003", "--as", "bkhan"], environment: env)
        #expect(split.status != 0, "\(split.stdout)")
        server.signal(SIGTERM)
        _ = try await server.wait(timeout: .seconds(20))
    }
}
