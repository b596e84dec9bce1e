import Foundation
import Postgres
import TestSupport
import Testing

@Suite(.requiresDatabase) struct PoolTests {
    @Test func fiftyTasksShareFourConnectionsWithoutStarving() async throws {
        // The lease timeout is generous: this checks fairness (nobody starves), not speed.
        let pool = try await TestDatabase.pool("pool", maxConnections: 4, leaseTimeout: .seconds(60))
        defer { Task { await pool.shutdown() } }
        let results = try await withThrowingTaskGroup(of: (Int, Int).self) { group in
            for i in 0..<50 {
                group.addTask {
                    // Each holds its connection for ~20 ms, so tasks must queue.
                    let row = try await pool.query("SELECT \(i)::int AS i, pg_backend_pid() AS pid FROM pg_sleep(0.02)").first
                    return (try row?.decode(Int.self, "i") ?? -1, try row?.decode(Int.self, "pid") ?? -1)
                }
            }
            var all: [(Int, Int)] = []
            for try await result in group { all.append(result) }
            return all
        }
        #expect(results.map(\.0).sorted() == Array(0..<50))
        #expect(Set(results.map(\.1)).count <= 4)
        #expect(pool.openConnections <= 4)
    }

    @Test func leaseTimesOutWhenEveryConnectionIsBusy() async throws {
        let pool = try await TestDatabase.pool("timeout", maxConnections: 1, leaseTimeout: .milliseconds(200))
        defer { Task { await pool.shutdown() } }
        let holding = Flag(), release = Flag()
        // The holder keeps the only connection until the test lets go (it blocks a pool
        // thread, never a task), so the timing of the machine cannot hand it over early.
        async let held: Void = pool.withConnection { connection in
            holding.set()
            while !release.isSet { usleep(1000) }
            try connection.query("SELECT 1")
        }
        while !holding.isSet { try await Task.sleep(for: .milliseconds(5)) }
        let error = await #expect(throws: PostgresError.self) { try await pool.withConnection { try $0.query("SELECT 1") } }
        #expect(error?.kind == .poolTimeout)
        // A single statement does not need a lease: it goes over a pipelined connection.
        #expect(try await pool.query("SELECT 2 AS two").first?.decode(Int.self, "two") == 2)
        release.set()
        try await held
        // Once free again, the pool serves.
        #expect(try await pool.withConnection { try $0.query("SELECT 1 AS one").first?.decode(Int.self, "one") } == 1)
    }

    @Test func terminatedConnectionIsDetectedAndReplaced() async throws {
        let url = try await TestDatabase.create("terminate")
        let pool = PostgresPool(configuration: .init(url: url, maxConnections: 1))
        defer { Task { await pool.shutdown() } }
        let firstPID = try #require(try await pool.query("SELECT pg_backend_pid() AS pid").first?.decode(Int.self, "pid"))
        // Kill it from another session.
        let killer = try PostgresConnection(url: url)
        let killed = try killer.query("SELECT pg_terminate_backend(\(firstPID)::int) AS ok").first?.decode(Bool.self, "ok")
        #expect(killed == true)
        // Wait until the backend has really gone (its socket is then closed).
        for _ in 0..<500 {
            let left = try killer.query("SELECT count(*) AS n FROM pg_stat_activity WHERE pid = \(firstPID)::int").first?.decode(Int.self, "n")
            if left == 0 { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        killer.close()
        // The pool notices the closed socket on its own (its reactor reads the end of it): wait
        // for that, not for a fixed time, which a loaded machine outran once in CI.
        for _ in 0..<1000 where pool.openConnections > 0 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(pool.openConnections == 0, "the pool did not notice its connection had gone")
        // The next statement finds no connection and opens one: the query works.
        let secondPID = try #require(try await pool.query("SELECT pg_backend_pid() AS pid").first?.decode(Int.self, "pid"))
        #expect(secondPID != firstPID)
        #expect(pool.openConnections == 1)
    }

    @Test func aQueryOnAConnectionKilledMidUseFailsAsConnectionLostThenRecovers() async throws {
        let url = try await TestDatabase.create("midkill")
        let pool = PostgresPool(configuration: .init(url: url, maxConnections: 1))
        defer { Task { await pool.shutdown() } }
        async let victim: PostgresResult = pool.query("SELECT pg_sleep(30) AS victim")
        // Kill the backend only once the victim's statement is running on it.
        let killer = try PostgresConnection(url: url)
        defer { killer.close() }
        var killed = false
        for _ in 0..<500 where !killed {
            let row = try killer.query(
                "SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%AS victim' AND pid <> pg_backend_pid()"
            ).first
            killed = try row?.decode(Bool.self, "ok") == true
            if !killed { try await Task.sleep(for: .milliseconds(20)) }
        }
        #expect(killed, "the victim query never showed up as active")
        do {
            _ = try await victim
            Issue.record("the killed query succeeded")
        } catch let error as PostgresError {
            #expect(error.isUnavailable, "\(error)")
        }
        #expect(try await pool.query("SELECT 1 AS one").first?.decode(Int.self, "one") == 1)
    }

    @Test func shutDownPoolRefusesWork() async throws {
        let pool = try await TestDatabase.pool("closed")
        _ = try await pool.query("SELECT 1")
        await pool.shutdown()
        let error = await #expect(throws: PostgresError.self) { try await pool.query("SELECT 1") }
        #expect(error?.kind == .poolClosed)
    }

    @Test func bodiesRunOffTheCooperativePool() async throws {
        let pool = try await TestDatabase.pool("threads", maxConnections: 2)
        defer { Task { await pool.shutdown() } }
        let names = try await pool.withConnection { _ in
            Thread.current.name ?? ""
        }
        // NIOThreadPool names its threads; the cooperative pool's are unnamed or "swift-...".
        #expect(names.contains("TP") || names.contains("ThreadPool"), "ran on thread named \(names.debugDescription)")
    }
}

/// A flag set from a pool thread and read from a test task.
final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.lock(); value = true; lock.unlock() }
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
}
