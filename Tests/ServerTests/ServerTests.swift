import Foundation
import Server
import Store
import TestSupport
import Testing

@Suite(.requiresDatabase) struct ServerTests {
    @Test func pingHelloQuit() async throws {
        let harness = try await ServerHarness()
        let client = try harness.client()
        #expect(try await client.call("PING") == "OK pong")
        #expect(try await client.call("hello") == "OK server=foiflow version=\(FoiflowVersion.current) protocol=1")
        #expect(try await client.call("QUIT") == "OK bye")
        #expect(try await client.readToEOF() == "")
        #expect(client.sawEOF)
        try await harness.stop()
    }

    @Test func tagsComeBackOnSuccessAndError() async throws {
        let harness = try await ServerHarness()
        let client = try harness.client()
        #expect(try await client.call("#a-1 PING") == "#a-1 OK pong")
        #expect(try await client.call("#b_2 NOPE") == "#b_2 ERR UNKNOWN_COMMAND unknown command NOPE")
        #expect(try await client.call("#c3 SHOW FOI-2026-000001").hasPrefix("#c3 ERR AUTH_REQUIRED "))
        try await harness.stop()
    }

    @Test func pipelinedRepliesComeBackInOrder() async throws {
        let harness = try await ServerHarness()
        let client = try harness.client()
        let count = 500
        var batch = ""
        for i in 0..<count { batch += i % 3 == 0 ? "#t\(i) HELLO\n" : "#t\(i) PING\n" }
        try client.send(batch)
        for i in 0..<count {
            let status = try await client.readReply().status
            #expect(status.hasPrefix("#t\(i) OK "), "reply \(i): \(status)")
        }
        try await harness.stop()
    }

    @Test func blankLinesGetNoReplyAndCRLFWorks() async throws {
        let harness = try await ServerHarness()
        let client = try harness.client()
        try client.send("\n  \r\n\t\nPING\r\n")
        #expect(try await client.readLine() == "OK pong")
        try await harness.stop()
    }

    @Test func overlongLineIsRefusedAndTheConnectionCarriesOn() async throws {
        let harness = try await ServerHarness(configuration: .init(maxLineLength: 64))
        let client = try harness.client()
        try client.send("PING" + String(repeating: " ", count: 60) + "\n")  // exactly 64 bytes
        #expect(try await client.readLine() == "OK pong")
        try client.send(String(repeating: "A", count: 65) + "\n#after PING\n")
        #expect(try await client.readLine().hasPrefix("ERR LINE_TOO_LONG "))
        #expect(try await client.readLine() == "#after OK pong")
        // A huge line in pieces, with the LF arriving late.
        for _ in 0..<200 { try client.send(String(repeating: "B", count: 1000)) }
        try client.send("\nPING\n")
        #expect(try await client.readLine().hasPrefix("ERR LINE_TOO_LONG "))
        #expect(try await client.readLine() == "OK pong")
        try await harness.stop()
    }

    @Test func badBytesAreBadFormatAndTheConnectionStaysOpen() async throws {
        let harness = try await ServerHarness()
        let client = try harness.client()
        try client.send(bytes: [0x50, 0x49, 0xff, 0x0a])
        #expect(try await client.readLine().hasPrefix("ERR BAD_FORMAT "))
        try client.send(bytes: [0x50, 0x00, 0x49, 0x0a])
        #expect(try await client.readLine().hasPrefix("ERR BAD_FORMAT "))
        try client.send("PING a=\"unterminated\n")
        #expect(try await client.readLine().hasPrefix("ERR BAD_FORMAT "))
        #expect(try await client.call("PING") == "OK pong")
        try await harness.stop()
    }

    @Test func authenticationWithARealToken() async throws {
        let harness = try await ServerHarness()
        let created = try #require(try await UserStore(pool: harness.pool).add(login: "asmith", role: .officer))
        let client = try harness.client()
        #expect(try await client.call("AUTH \(String(repeating: "f", count: 64))") == "ERR AUTH_FAILED unknown or revoked token")
        #expect(try await client.call("AUTH").hasPrefix("ERR BAD_ARGUMENT "))
        #expect(try await client.call("AUTH \(created.token)") == "OK user=asmith role=officer")
        try await harness.stop()
    }

    @Test func lastLineWithoutNewlineIsAnsweredBeforeClose() async throws {
        let harness = try await ServerHarness()
        let client = try harness.client()
        try client.send("PING\nHELLO")
        client.shutdownWrite()
        let rest = try await client.readToEOF()
        #expect(rest.hasPrefix("OK pong\nOK server=foiflow "))
        try await harness.stop()
    }

    @Test func oneConnectionTooManyGetsBusyAndIsClosed() async throws {
        let harness = try await ServerHarness(configuration: .init(maxConnections: 2))
        let a = try harness.client(), b = try harness.client()
        #expect(try await a.call("PING") == "OK pong")
        #expect(try await b.call("PING") == "OK pong")
        let c = try harness.client()
        #expect(try await c.readToEOF().hasPrefix("ERR BUSY "))
        // Once one leaves, a new client is served again.
        #expect(try await a.call("QUIT") == "OK bye")
        _ = try await a.readToEOF()
        try await Task.sleep(for: .milliseconds(100))
        let d = try harness.client()
        #expect(try await d.call("PING") == "OK pong")
        try await harness.stop()
    }

    @Test func idleConnectionsAreClosedAndBusyOnesAreNot() async throws {
        // Generous limits: the whole suite runs in parallel on two cores, and a test can stall.
        let harness = try await ServerHarness(configuration: .init(idleTimeout: .seconds(8), authTimeout: .seconds(300)))
        let idle = try harness.client()
        let started = ContinuousClock.now
        // The busy one talks every 150 ms for 10 s, longer than the idle limit, from a thread of
        // its own: a task on Swift's two-thread pool, beside the whole suite, once went quiet
        // for longer than the limit and was rightly closed.
        let port = harness.port
        let busyReplies = try await offThePool { try Self.pingEvery(.milliseconds(150), for: .seconds(10), port: port) }
        #expect(!busyReplies.isEmpty && busyReplies.allSatisfy { $0 == "OK pong" }, "\(busyReplies.filter { $0 != "OK pong" })")
        // Closed by now (readToEOF gives up, failing the test, if it is not within ten seconds).
        #expect(try await idle.readToEOF() == "")
        let waited = ContinuousClock.now - started
        #expect(waited >= .milliseconds(7900), "closed after \(waited)")
        try await harness.stop()
    }

    /// Connects to `port` and sends PING every `interval` for `duration`, on the calling thread;
    /// returns the replies, and a last one saying why it stopped early, if it did.
    static func pingEvery(_ interval: Duration, for duration: Duration, port: Int) throws -> [String] {
        let client = try LineClient(port: port)
        var replies: [String] = []
        let end = ContinuousClock.now + duration
        while ContinuousClock.now < end {
            do {
                replies.append(try client.callWaiting("PING"))
            } catch {
                return replies + ["\(error) after \(replies.count) replies"]
            }
            Thread.sleep(forTimeInterval: Double(interval.components.attoseconds) / 1e18 + Double(interval.components.seconds))
        }
        return replies
    }

    @Test func gracefulShutdownClosesConnectionsAndReturns() async throws {
        let harness = try await ServerHarness()
        let client = try harness.client()
        #expect(try await client.call("PING") == "OK pong")
        try await harness.stop()
        #expect(try await client.readToEOF() == "")
        // Nothing listens any more.
        #expect(throws: LineClient.Failure.self) { try LineClient(port: harness.port) }
    }

    @Test func databaseDownIsUnavailableButTheServerAnswers() async throws {
        let harness = try await ServerHarness(databaseURL: "postgresql://postgres@127.0.0.1:1/none")
        let client = try harness.client()
        #expect(try await client.call("AUTH abc").hasPrefix("ERR UNAVAILABLE "))
        #expect(try await client.call("PING") == "OK pong")
        try await harness.stop()
    }
}
