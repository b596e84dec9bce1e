import Foundation
import Server
import Store
import TestSupport
import Testing

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
                    let client = try LineClient(port: port)
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
    @Test func unauthenticatedSlowAndTooManyConnectionsAreClosed() async throws {
        var configuration = Server.ServerConfiguration()
        configuration.authTimeout = .seconds(2)
        configuration.lineTimeout = .seconds(1)
        configuration.maxConnectionsPerIP = 4
        let harness = try await ServerHarness(configuration: configuration)
        // Silent and never authenticated: told, then closed.
        let silent = try harness.client()
        let started = ContinuousClock.now
        let told = try await silent.readToEOF()
        #expect(told.hasPrefix("ERR AUTH_REQUIRED ") && ContinuousClock.now - started >= .milliseconds(1900), "\(told)")
        // Authenticated in time: still served after the deadline.
        let member = try await harness.authenticatedClient(login: "asmith", role: .officer)
        try await Task.sleep(for: .milliseconds(2200))
        #expect(try await member.call("PING") == "OK pong")
        // A byte every 100 ms for 3 s: every byte resets the idle timer, but the line never ends in time.
        let trickle = try await harness.authenticatedClient(login: "bkhan", role: .officer)
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
