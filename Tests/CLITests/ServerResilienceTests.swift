import Foundation
import Postgres
import TestSupport
import Testing

/// The real `foiflow serve` under stress: its own database stopped and restarted,
/// a 64 MiB line, 10,000 pipelined commands.
@Suite(.requiresDatabase, .serialized) struct ServerResilienceTests {
    /// Asks `client` for `line` every 100 ms, up to 50 times, until the reply is `wanted`;
    /// returns the last reply (a server coming back after its database did).
    static func retry(_ line: String, on client: LineClient, until wanted: String) async throws -> String {
        var reply = ""
        for _ in 0..<50 {
            reply = try await client.call(line)
            if reply == wanted { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        return reply
    }

    /// Starts `foiflow serve` on a free port and waits until it answers; returns it with a client.
    static func serve(_ url: String, extra: [String] = []) async throws -> (RunningProcess, Int) {
        let port = freeLoopbackPort()
        // A test that does not set the AUTH limit is not testing it (see the 64 MiB line test).
        let auth = extra.contains("--auth-timeout") ? [] : ["--auth-timeout", "300"]
        let server = try Foiflow.start(
            ["serve", "--listen", "127.0.0.1:\(port)", "--log-level", "warning"] + auth + extra, environment: ["DATABASE_URL": url])
        for _ in 0..<300 {
            if (try? LineClient(port: port)) != nil { return (server, port) }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestSetupError("foiflow serve did not start: \(server.stderrSoFar)")
    }

    @Test func postgresStoppedAndRestartedUnderTheServer() async throws {
        let cluster = try await OwnCluster.start("restart")
        defer { cluster.destroy() }
        let url = cluster.url
        let token = try await CLIDatabase.prepare(url, users: [TestUser("bkhan", "manager")]).tokens["bkhan"] ?? ""
        let (server, serverPort) = try await Self.serve(url)
        let client = try LineClient(port: serverPort)
        #expect(try await client.call("AUTH \(token)") == "OK user=bkhan role=manager")
        #expect(try await client.call("CREATE foi received=2026-11-20 requester=R").hasPrefix("OK ref=FOI-2026-000001 "))

        try await cluster.stop()
        #expect(try await client.call("SHOW FOI-2026-000001").hasPrefix("ERR UNAVAILABLE "))
        #expect(try await client.call("CREATE foi received=2026-11-20 requester=R").hasPrefix("ERR UNAVAILABLE "))
        #expect(try await client.call("PING") == "OK pong")

        try await cluster.restart()
        let status = try await Self.retry("SHOW FOI-2026-000001", on: client, until: "OK")
        #expect(status == "OK", "the server did not recover: \(status)")
        // Nothing was half-written while it was down.
        #expect(try await client.call("CREATE foi received=2026-11-20 requester=R").hasPrefix("OK ref=FOI-2026-000002 "))
        server.signal(SIGTERM)
        #expect(try await server.wait(timeout: .seconds(20)).status == 0)
    }

    /// A database whose backends stop answering (SIGSTOP) is a timeout, not a hang: the pool
    /// gives up on the connection soon after the statement limit, and recovers afterwards.
    @Test func aFrozenDatabaseIsATimeoutNotAHang() async throws {
        let cluster = try await OwnCluster.start("frozen")
        defer { cluster.destroy() }
        let url = cluster.url
        let token = try await CLIDatabase.prepare(url, users: [TestUser("bkhan", "manager")]).tokens["bkhan"] ?? ""
        let (server, serverPort) = try await Self.serve(url, extra: ["--statement-timeout", "500"])
        let client = try LineClient(port: serverPort)
        #expect(try await client.call("AUTH \(token)").hasPrefix("OK "))
        #expect(try await client.call("CREATE foi received=2026-11-20 requester=R").hasPrefix("OK "))
        // A SHOW first, so the connection a SHOW is sent on is open before the freeze (the pool
        // opens connections lazily; one opened after the freeze would rightly answer).
        #expect(try await client.call("SHOW FOI-2026-000001") == "OK")
        // Freeze every other backend of the database (the server's pool and its listener),
        // listing again until no new one appears: a connection still being opened under load
        // (the listener's) is frozen too.
        let observer = try PostgresConnection(url: url)
        var pids: [Int] = []
        // Thawed on every way out: a frozen backend left behind would stall the cluster's shutdown.
        var thawed = false
        defer { if !thawed { for pid in pids { kill(pid_t(pid), SIGCONT) } } }
        for _ in 0..<5 {
            let now = try observer.query(
                "SELECT pid FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()"
            ).rows.map { try $0.decode(Int.self, "pid") }
            let new = now.filter { !pids.contains($0) }
            if new.isEmpty && !pids.isEmpty { break }
            for pid in new { kill(pid_t(pid), SIGSTOP) }
            pids += new
            try await Task.sleep(for: .milliseconds(200))
        }
        try #require(!pids.isEmpty)
        let started = ContinuousClock.now
        let frozen = try await client.call("SHOW FOI-2026-000001")
        let waited = ContinuousClock.now - started
        for pid in pids { kill(pid_t(pid), SIGCONT) }
        thawed = true
        // Answered within the limit's reach, never a hang: a timeout, or (seen under a loaded CI
        // machine, 2 runs in about 20) the answer from a connection the pool opened meanwhile.
        #expect(frozen.hasPrefix("ERR TIMEOUT ") || frozen == "OK", "\(frozen)")
        #expect(waited < .seconds(10), "waited \(waited)")
        // And back: the next commands are answered (the broken connection is replaced).
        let status = try await Self.retry("SHOW FOI-2026-000001", on: client, until: "OK")
        #expect(status == "OK", "\(status)")
        observer.close()
        server.signal(SIGTERM)
        #expect(try await server.wait(timeout: .seconds(20)).status == 0)
    }

    @Test func aSixtyFourMebibyteLineLeavesTheServerAnsweringWithBoundedMemory() async throws {
        let url = try await CLIDatabase.create("hugeline").url
        // What is tested is the memory bound, not the speed: 64 MiB through loopback beside the
        // whole suite on two cores has taken 27 s, past the default 10 s to authenticate (these
        // clients never do) and near the 30 s a line may take. Those limits have their own tests
        // (SlowClientTests), so here they are lifted, and the clients wait as long.
        let (server, port) = try await Self.serve(url, extra: ["--auth-timeout", "300", "--line-timeout", "300"])
        let flooder = try LineClient(port: port, timeoutSeconds: 300)
        let bystander = try LineClient(port: port, timeoutSeconds: 300)
        let chunk = [UInt8](repeating: UInt8(ascii: "x"), count: 1 << 20)
        for i in 0..<64 {
            try await flooder.write(bytes: chunk)
            if i == 0 { #expect(try await flooder.readLine().hasPrefix("ERR LINE_TOO_LONG ")) }
            if i % 16 == 0 { #expect(try await bystander.call("PING") == "OK pong") }
        }
        try flooder.send("\nPING\n")
        let reply = try await flooder.readLine()
        #expect(reply == "OK pong")
        let peak = try Self.peakRSSMiB(pid: server.pid)
        #expect(peak < 96, "server peak RSS \(peak) MiB after a 64 MiB line")
        server.signal(SIGTERM)
        _ = try await server.wait(timeout: .seconds(20))
    }

    @Test func tenThousandPipelinedCommandsInOneWrite() async throws {
        let database = try await CLIDatabase.create("pipeline", users: [TestUser("asmith", "officer")])
        let (url, token) = (database.url, database.tokens["asmith"] ?? "")
        let (server, port) = try await Self.serve(url)
        let client = try LineClient(port: port, timeoutSeconds: 60)
        var batch = "AUTH \(token)\n"
        for i in 0..<10_000 {
            switch i % 4 {
            case 0: batch += "#p\(i) PING\n"
            case 1: batch += "#p\(i) WORKDAY ADD 2026-11-20 \(i % 40)\n"
            case 2: batch += "#p\(i) NOPE\n"
            default: batch += "#p\(i) SHOW FOI-2026-000001\n"
            }
        }
        try client.send(batch)
        #expect(try await client.readLine() == "OK user=asmith role=officer")
        for i in 0..<10_000 {
            let reply = try await client.readReply().status
            #expect(reply.hasPrefix("#p\(i) "), "reply \(i) out of order: \(reply)")
            if !reply.hasPrefix("#p\(i) ") { break }
        }
        server.signal(SIGTERM)
        _ = try await server.wait(timeout: .seconds(20))
    }

    static func peakRSSMiB(pid: Int32) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
            let kb = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        else {
            throw TestSetupError("no VmHWM for \(pid)")
        }
        return kb / 1024
    }
}
