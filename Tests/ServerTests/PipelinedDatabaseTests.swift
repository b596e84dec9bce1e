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
        let killer = try PostgresConnection(url: harness.databaseURL)
        defer { killer.close() }
        // Slow every event insert a little, so that writes are surely in flight when the
        // connections are killed (the test's own database; the workflow is unchanged).
        try killer.executeScript(
            """
            CREATE FUNCTION test_slow_event() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN PERFORM pg_sleep(0.005); RETURN NEW; END $$;
            CREATE TRIGGER test_slow_event BEFORE INSERT ON request_events FOR EACH ROW EXECUTE FUNCTION test_slow_event();
            """)
        var tokens: [String] = []
        for index in 0..<12 {
            tokens.append(try #require(try await UserStoreHelper.token(harness, login: "w\(index)")))
        }
        let port = harness.port
        async let replies = withThrowingTaskGroup(of: [String].self) { group in
            for (index, token) in tokens.enumerated() {
                group.addTask {
                    let client = try LineClient(port: port)
                    _ = try await client.call("AUTH \(token)")
                    var out: [String] = []
                    for round in 0..<15 {
                        out.append(try await client.call("CREATE foi received=2026-11-20 requester=W\(index) subject=r\(round)"))
                    }
                    return out
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        // Once some requests exist, kill every backend the server has.
        for _ in 0..<500 {
            if try killer.query("SELECT count(*) AS n FROM requests").first?.decode(Int.self, "n") ?? 0 >= 20 { break }
            try await Task.sleep(for: .milliseconds(5))
        }
        let killed = try killer.query(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        ).first?.decode(Int.self, "n")
        #expect((killed ?? 0) > 0)
        let all = try await replies
        #expect(all.count == 180)
        let unavailable = all.filter { $0.hasPrefix("ERR UNAVAILABLE ") }
        #expect(all.allSatisfy { $0.hasPrefix("OK ref=") || $0.hasPrefix("ERR UNAVAILABLE ") }, "\(all.filter { !$0.hasPrefix("OK ") })")
        #expect(!unavailable.isEmpty, "no command was in flight when the connections were killed")
        // Every request that exists has exactly its create event, and every OK is there.
        let rows = try killer.query(
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
