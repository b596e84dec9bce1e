import Foundation
import Postgres
import Store
import TestSupport
import Testing
import Workflow

/// The server's commands share pipelined database connections: when those connections are
/// lost with commands in flight, every command in flight is `UNAVAILABLE`, nothing is half
/// written, and the next commands get new connections.
@Suite(.requiresDatabase) struct PipelinedDatabaseTests {
    @Test func connectionsLostWithCommandsInFlightAreUnavailableAndNothingIsHalfWritten() async throws {
        let harness = try await ServerHarness()
        // The test's own session, run on a pool thread (not the cooperative pool, which a
        // blocking call could starve); one connection, so its advisory lock stays with it.
        let killer = PostgresPool(configuration: .init(url: harness.databaseURL, maxConnections: 1, pipelining: false))
        defer { Task { await killer.shutdown() } }
        // Every event insert passes a gate (a lock the test can hold), so that writes are surely
        // in flight when the connections are killed (the test's own database; the workflow is
        // unchanged).
        try await killer.withConnection {
            try $0.executeScript(
                """
                CREATE FUNCTION test_gate() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN PERFORM pg_advisory_xact_lock_shared(4242); RETURN NEW; END $$;
                CREATE TRIGGER test_gate BEFORE INSERT ON request_events FOR EACH ROW EXECUTE FUNCTION test_gate();
                """)
        }
        var tokens: [String] = []
        for index in 0..<12 {
            tokens.append(try #require(try await UserStoreHelper.token(harness, login: "w\(index)")))
        }
        let port = harness.port
        let stop = StopFlag()
        // Twelve writers create requests until told to stop (at most 100 each).
        async let replies = withThrowingTaskGroup(of: [String].self) { group in
            for (index, token) in tokens.enumerated() {
                group.addTask {
                    let client = try LineClient(port: port)
                    _ = try await client.call("AUTH \(token)")
                    var out: [String] = []
                    var round = 0
                    while !stop.isSet, round < 100 {
                        out.append(try await client.call("CREATE foi received=2026-11-20 requester=W\(index) subject=r\(round)"))
                        round += 1
                    }
                    return out
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        // Once some requests exist, kill every backend the server has, while the writers go on.
        for _ in 0..<2000 {
            if try await killer.query("SELECT count(*) AS n FROM requests").first?.decode(Int.self, "n") ?? 0 >= 20 { break }
            try await Task.sleep(for: .milliseconds(5))
        }
        // Close the gate, wait until writes are held at it, then kill every backend the server has.
        try await killer.query("SELECT pg_advisory_lock(4242)")
        for _ in 0..<5000 {
            let waiting = try await killer.query(
                "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            ).first?.decode(Int.self, "n")
            if (waiting ?? 0) > 0 { break }
            try await Task.sleep(for: .milliseconds(2))
        }
        let killed = try await killer.query(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        ).first?.decode(Int.self, "n")
        try await killer.query("SELECT pg_advisory_unlock(4242)")
        #expect((killed ?? 0) > 0)
        // Let them carry on over new connections for a moment, then stop.
        try await Task.sleep(for: .milliseconds(300))
        stop.set()
        let all = try await replies
        #expect(all.count >= 20)
        let unavailable = all.filter { $0.hasPrefix("ERR UNAVAILABLE ") }
        #expect(all.allSatisfy { $0.hasPrefix("OK ref=") || $0.hasPrefix("ERR UNAVAILABLE ") }, "\(all.filter { !$0.hasPrefix("OK ") })")
        #expect(!unavailable.isEmpty, "no command was in flight when the connections were killed")
        // Every request that exists has exactly its create event, and every OK is there.
        let rows = try await killer.query(
            "SELECT r.ref, r.version, (SELECT count(*) FROM request_events e WHERE e.request_id = r.id) AS events FROM requests r"
        ).rows
        for row in rows {
            let ref = try row.decode(String.self, "ref")
            #expect(try row.decode(Int.self, "events") == 1 && row.decode(Int.self, "version") == 1, "\(ref)")
        }
        let refs = Set(try rows.map { try $0.decode(String.self, "ref") })
        let okRefs = all.compactMap { reply -> String? in
            guard reply.hasPrefix("OK ref=") else { return nil }
            return reply.split(separator: " ").dropFirst().first.map { String($0.dropFirst("ref=".count)) }
        }
        #expect(Set(okRefs).isSubset(of: refs))
        #expect(refs.count >= okRefs.count)
        // The server carries on with new connections.
        let client = try await harness.authenticatedClient(login: "after", role: .officer)
        #expect(try await client.call("CREATE foi received=2026-11-20 requester=After").hasPrefix("OK ref="))
        try await harness.stop()
    }
}

/// Set once by the test, read by its writers.
final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}
