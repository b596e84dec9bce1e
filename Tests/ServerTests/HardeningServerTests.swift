import Dates
import Foundation
import Server
import Store
import TestSupport
import Testing
import Workflow

/// Issue 17 over the protocol: hostile text refused, idempotency that cannot be fooled, no
/// CONFLICT without expect=.
@Suite(.requiresDatabase) struct HardeningServerTests {
    @Test func hostileTextIsRefusedAndCommandWordsAreASCII() async throws {
        let harness = try await ServerHarness()
        let client = try await harness.authenticatedClient(login: "asmith", role: .officer)
        for bad in ["R\u{1B}]0;x\u{07}", "R\u{2028}forged", "R\u{85}"] {
            #expect(try await client.call("CREATE foi received=2026-11-20 requester=\"\(bad)\"").hasPrefix("ERR BAD_ARGUMENT "))
        }
        #expect(try await client.call("CREATE foi received=2026-11-20 requester=\"Line\\none\"").hasPrefix("OK "))
        // A line ending \r\r\n is one line with a stray CR: answered, not a hang.
        try client.send("PING\r\r\n")
        let answer = try await client.readLine()
        #expect(answer.hasPrefix("OK") || answer.hasPrefix("ERR "), "\(answer)")
        #expect(try await client.call("PING") == "OK pong")
        // pıng (dotless i) is not PING.
        #expect(try await client.call("p\u{131}ng").hasPrefix("ERR UNKNOWN_COMMAND "))
        try await harness.stop()
    }

    @Test func idempotencyKeysCompareContentExactly() async throws {
        let harness = try await ServerHarness()
        let client = try await harness.authenticatedClient(login: "asmith", role: .officer)
        let first = try await client.call("CREATE foi received=2026-11-20 requester=Alice subject=Bees idempotency=k1")
        #expect(first.hasPrefix("OK ref=FOI-2026-000001 "))
        let forged = try await client.call("CREATE foi received=2026-11-20 requester=\"Alice\\nsubject=Bees\" idempotency=k1")
        #expect(forged.hasPrefix("ERR IDEMPOTENCY_MISMATCH "), "\(forged)")
        #expect(try await client.call("CREATE foi subject=Bees requester=Alice received=2026-11-20 idempotency=k1").hasSuffix("replayed=true"))
        try await harness.stop()
    }

    @Test func manyWritersWithoutExpectNeverGetConflict() async throws {
        let harness = try await ServerHarness()
        let setup = try await harness.authenticatedClient(login: "bkhan", role: .manager)
        #expect(try await setup.call("CREATE foi received=2026-11-20 requester=R").hasPrefix("OK "))
        var tokens: [String] = []
        for index in 0..<16 {
            let token = try #require(try await UserStoreHelper.token(harness, login: "m\(index)"))
            tokens.append(token)
        }
        let port = harness.port
        let replies = try await withThrowingTaskGroup(of: [String].self) { group in
            for token in tokens {
                group.addTask {
                    // Sixteen writers of one request, each retrying its lost races: beside the
                    // whole suite on two cores one reply took longer than 10 s.
                    let client = try LineClient(port: port, timeoutSeconds: 60)
                    _ = try await client.call("AUTH \(token)")
                    var out: [String] = []
                    for round in 0..<8 { out.append(try await client.call("ACT FOI-2026-000001 assign to=bkhan note=r\(round)")) }
                    return out
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        #expect(!replies.contains { $0.hasPrefix("ERR CONFLICT") }, "\(replies.filter { !$0.hasPrefix("OK") })")
        #expect(replies.allSatisfy { $0.hasPrefix("OK ") || $0.hasPrefix("ERR BUSY ") })
        let ok = replies.filter { $0.hasPrefix("OK ") }.count
        try setup.send("SHOW FOI-2026-000001\n")
        #expect(try await setup.readReply().records.first?.contains(" version=\(ok + 1) ") == true)
        try await harness.stop()
    }
}

/// Slow clients cannot lock everyone out: an AUTH deadline, a line deadline, a per-address cap.
@Suite(.requiresDatabase) struct SlowClientTests {
    /// A client whose AUTH was answered before the 5 s limit ran out. Beside the whole suite on
    /// two cores an AUTH has been answered after it (CI, once): the server rightly said
    /// AUTH_REQUIRED and closed, which says nothing about what is tested here, so a new
    /// connection tries again. Any other answer fails the test.
    static func authenticatedInTime(_ harness: ServerHarness, login: String) async throws -> LineClient {
        let token = try #require(try await UserStore(pool: harness.pool).add(login: login, role: .officer)?.token)
        for _ in 0..<5 {
            let client = try harness.client()
            let status = try await client.call("AUTH \(token)")
            if status.hasPrefix("OK ") { return client }
            try #require(status.hasPrefix("ERR AUTH_REQUIRED ") && status.contains("no AUTH within"), "AUTH failed: \(status)")
        }
        throw TestSetupError("five AUTHs in a row were answered after the limit")
    }

    @Test func unauthenticatedSlowAndTooManyConnectionsAreClosed() async throws {
        var configuration = Server.ServerConfiguration()
        configuration.authTimeout = .seconds(5)
        configuration.lineTimeout = .seconds(1)
        configuration.maxConnectionsPerIP = 4
        let harness = try await ServerHarness(configuration: configuration)
        // Silent and never authenticated: told, then closed.
        let silent = try harness.client()
        let started = ContinuousClock.now
        let told = try await silent.readToEOF()
        #expect(told.hasPrefix("ERR AUTH_REQUIRED ") && ContinuousClock.now - started >= .milliseconds(4900), "\(told)")
        // Authenticated in time: still served after the deadline.
        let member = try await Self.authenticatedInTime(harness, login: "asmith")
        try await Task.sleep(for: .milliseconds(5500))
        #expect(try await member.call("PING") == "OK pong")
        // A byte every 100 ms for 3 s: every byte resets the idle timer, but the line never ends in time.
        let trickle = try await Self.authenticatedInTime(harness, login: "bkhan")
        var closed = false
        for byte in String(repeating: "PING", count: 8).utf8 {
            do { try trickle.send(bytes: [byte]) } catch { closed = true; break }
            try await Task.sleep(for: .milliseconds(100))
        }
        let trickled = try await trickle.readToEOF()
        #expect(trickled.contains("ERR ") && trickled.contains("longer than"), "\(trickled) \(closed)")
        // Four more beside the member: one too many for the address; exactly one is refused with BUSY.
        let more = try (0..<4).map { _ in try harness.client() }
        var answers: [String] = []
        for client in more { answers.append((try? await client.call("PING")) ?? "closed") }
        #expect(answers.filter { $0.hasPrefix("ERR BUSY ") }.count == 1 && answers.filter { $0 == "OK pong" }.count == 3, "\(answers)")
        try await harness.stop()
    }
}

/// Teams: an officer or manager of one team cannot see or act on another team's requests.
@Suite(.requiresDatabase) struct TeamScopeTests {
    func client(_ harness: ServerHarness, _ login: String, _ role: Workflow.Role, team: String?) async throws -> LineClient {
        let token = try #require(try await Store.UserStore(pool: harness.pool).add(login: login, role: role, team: team)?.token)
        let client = try harness.client()
        #expect(try await client.call("AUTH \(token)").hasPrefix("OK "))
        return client
    }

    @Test func anotherTeamsRequestIsNotFound() async throws {
        let harness = try await ServerHarness(today: "2026-12-01")
        let north = try await client(harness, "nofficer", .officer, team: "north")
        let south = try await client(harness, "smanager", .manager, team: "south")
        let teamless = try await client(harness, "floater", .officer, team: nil)
        let auditor = try await client(harness, "audit", .auditor, team: "south")
        #expect(try await north.call("CREATE foi received=2026-11-02 requester=R team=north").hasPrefix("OK ref=FOI-2026-000001 "))
        // A request of no team (created by a user of none: a team's officer creates into their team).
        #expect(try await teamless.call("CREATE foi received=2026-11-02 requester=R").hasPrefix("OK ref=FOI-2026-000002 "))
        for command in [
            "SHOW FOI-2026-000001", "HISTORY FOI-2026-000001", "EXPLAIN FOI-2026-000001", "LETTERS FOI-2026-000001",
            "ACT FOI-2026-000001 assign to=smanager", "CREATE review received=2026-11-20 requester=R parent=FOI-2026-000001",
        ] {
            #expect(try await south.call(command).hasPrefix("ERR NOT_FOUND "), "\(command)")
        }
        try north.send("LETTERS FOI-2026-000001\n")
        let letterID = try #require(try await north.readReply().records.first?.split(separator: " ").first { $0.hasPrefix("id=") }?.dropFirst(3))
        #expect(try await south.call("LETTER \(letterID)").hasPrefix("ERR NOT_FOUND "))
        // Lists and the risk list leave it out; a request with no team is everyone's.
        try south.send("LIST\n")
        let listed = try await south.readReply()
        #expect(listed.records.count == 1 && listed.records[0].contains("ref=FOI-2026-000002"), "\(listed.records)")
        try south.send("RISK within=30\n")
        #expect(try await south.readReply().records.allSatisfy { !$0.contains("FOI-2026-000001") })
        #expect(try await south.call("ACT FOI-2026-000002 assign to=smanager").hasPrefix("OK "))
        // Users with no team, auditors and the team itself see it.
        for reader in [north, teamless, auditor] {
            try reader.send("SHOW FOI-2026-000001\n")
            #expect(try await reader.readReply().status == "OK")
        }
        #expect(try await north.call("ACT FOI-2026-000001 assign to=nofficer").hasPrefix("OK "))
        try await harness.stop()
    }
}

/// A reopened request never loses its clock, over the protocol and after a nightly lapse.
@Suite(.requiresDatabase) struct ReopenOverTheProtocolTests {
    @Test func clarifyWithdrawReopenAndLapseReopen() async throws {
        let harness = try await ServerHarness(today: "2026-11-23")
        let client = try await harness.authenticatedClient(login: "bkhan", role: .manager)
        #expect(try await client.call("CREATE foi received=2026-11-02 requester=R").hasPrefix("OK ref=FOI-2026-000001 "))
        #expect(try await client.call("ACT FOI-2026-000001 clarify on=2026-11-03").hasPrefix("OK ref=FOI-2026-000001 state=awaiting_clarification "))
        #expect(try await client.call("ACT FOI-2026-000001 withdraw").hasPrefix("OK ref=FOI-2026-000001 state=withdrawn "))
        #expect(try await client.call("ACT FOI-2026-000001 reopen") == "OK ref=FOI-2026-000001 state=awaiting_clarification version=4")
        #expect(try await client.call("ACT FOI-2026-000001 clarified on=2026-11-20").hasPrefix("OK ref=FOI-2026-000001 state=in_progress due="))
        // A fee never paid: the nightly job lapses it three months on; reopened, it waits for the fee again.
        #expect(try await client.call("CREATE foi received=2026-07-01 requester=R").hasPrefix("OK ref=FOI-2026-000002 "))
        #expect(try await client.call("ACT FOI-2026-000002 fee-notice on=2026-07-02").hasPrefix("OK "))
        let nightly = EscalationStore(pool: harness.pool, calendars: CalendarCache(store: HolidayStore(pool: harness.pool), maxAge: .zero))
        let report = try await nightly.run(asOf: try #require(CivilDate(iso: "2026-11-23")))
        #expect(report.lapsedRefs.contains("FOI-2026-000002"))
        #expect(try await client.call("ACT FOI-2026-000002 reopen").hasPrefix("OK ref=FOI-2026-000002 state=awaiting_fee "))
        #expect(try await client.call("ACT FOI-2026-000002 fee-paid on=2026-11-23").hasPrefix("OK ref=FOI-2026-000002 state=in_progress due="))
        try await harness.stop()
    }
}
