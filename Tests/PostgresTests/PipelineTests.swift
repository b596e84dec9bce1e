import Foundation
import Postgres
import TestSupport
import Testing

/// Single statements over pipelined connections (`PostgresPool.query`): many callers on one
/// connection, each answered with its own result, each statement its own transaction.
@Suite(.requiresDatabase) struct PipelineTests {
    @Test func manyCallersOnOneConnectionEachGetTheirOwnAnswer() async throws {
        let pool = try await TestDatabase.pool("pipeorder", maxConnections: 1)
        defer { Task { await pool.shutdown() } }
        let answers = try await withThrowingTaskGroup(of: (Int, Int, Int).self) { group in
            for i in 0..<300 {
                group.addTask {
                    let row = try #require(try await pool.query("SELECT \(i)::int AS i, \(i)::int * 2 AS twice, pg_backend_pid() AS pid").first)
                    return (i, try row.decode(Int.self, "twice"), try row.decode(Int.self, "pid"))
                }
            }
            var all: [(Int, Int, Int)] = []
            for try await answer in group { all.append(answer) }
            return all
        }
        #expect(answers.count == 300)
        #expect(answers.allSatisfy { $0.1 == $0.0 * 2 }, "an answer went to the wrong caller")
        #expect(Set(answers.map(\.2)).count == 1, "one connection was to carry them all")
        #expect(pool.openConnections == 1)
    }

    @Test func aStatementThatFailsInThePipelineFailsAloneAndTheRestCarryOn() async throws {
        let pool = try await TestDatabase.pool("pipefail", maxConnections: 1)
        defer { Task { await pool.shutdown() } }
        // Every fifth statement divides by zero; they are all in flight together.
        let outcomes = await withTaskGroup(of: (Int, Result<Int, PostgresError>).self) { group in
            for i in 0..<100 {
                group.addTask {
                    do {
                        let row = try await pool.query("SELECT 100 / \(i % 5)::int AS q, \(i)::int AS i").first
                        return (i, .success(try row?.decode(Int.self, "i") ?? -1))
                    } catch let error as PostgresError {
                        return (i, .failure(error))
                    } catch {
                        return (i, .failure(PostgresError(.server, "\(error)")))
                    }
                }
            }
            var all: [(Int, Result<Int, PostgresError>)] = []
            for await outcome in group { all.append(outcome) }
            return all
        }
        for (i, outcome) in outcomes {
            switch outcome {
            case .success(let value):
                #expect(i % 5 != 0 && value == i, "statement \(i) answered \(value)")
            case .failure(let error):
                #expect(i % 5 == 0 && error.sqlState == "22012", "statement \(i): \(error)")
            }
        }
        // A statement PostgreSQL cannot even prepare fails, and fails the same way again
        // (its failed preparation is not taken for a prepared statement); the connection carries on.
        for _ in 0..<2 {
            let error = await #expect(throws: PostgresError.self) { try await pool.query("SELECT no_such_column FROM pg_class") }
            #expect(error?.sqlState == "42703")
        }
        #expect(try await pool.query("SELECT 7 AS seven").first?.decode(Int.self, "seven") == 7)
        #expect(pool.openConnections == 1)
    }

    @Test func aConnectionLostWithStatementsInFlightFailsEachAndHalfWritesNothing() async throws {
        let url = try await TestDatabase.create("pipelost")
        let pool = PostgresPool(configuration: .init(url: url, maxConnections: 1))
        defer { Task { await pool.shutdown() } }
        // The test's own session, run on a pool thread (not the cooperative pool, which a
        // blocking call could starve); one connection, so its advisory lock stays with it.
        let killer = PostgresPool(configuration: .init(url: url, maxConnections: 1, pipelining: false))
        defer { Task { await killer.shutdown() } }
        try await killer.withConnection {
            try $0.executeScript("CREATE TABLE left_half (k int PRIMARY KEY); CREATE TABLE right_half (k int PRIMARY KEY)")
        }
        let firstPID = try #require(try await pool.query("SELECT pg_backend_pid() AS pid").first?.decode(Int.self, "pid"))
        // The killer holds a lock every write needs, so the writes queue on the one connection
        // (the first waiting for the lock, the rest behind it) until the backend is killed.
        try await killer.query("SELECT pg_advisory_lock(4242)")
        async let outcomes = withTaskGroup(of: (Int, Bool, PostgresError?).self) { group in
            for k in 0..<40 {
                group.addTask {
                    do {
                        try await pool.query(
                            """
                            WITH gate AS (SELECT pg_advisory_xact_lock_shared(4242)),
                            l AS (INSERT INTO left_half (k) SELECT \(k)::int FROM gate RETURNING k)
                            INSERT INTO right_half (k) SELECT k FROM l
                            """)
                        return (k, true, nil)
                    } catch let error as PostgresError {
                        return (k, false, error)
                    } catch {
                        return (k, false, PostgresError(.server, "\(error)"))
                    }
                }
            }
            var all: [(Int, Bool, PostgresError?)] = []
            for await outcome in group { all.append(outcome) }
            return all
        }
        // Kill the backend once a write is waiting at the gate.
        var killed = false
        for _ in 0..<5000 where !killed {
            killed =
                try await killer.query(
                    "SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE pid = \(firstPID)::int AND wait_event_type = 'Lock'"
                ).first?.decode(Bool.self, "ok") == true
            if !killed { try await Task.sleep(for: .milliseconds(2)) }
        }
        #expect(killed, "no write was ever seen waiting")
        try await killer.query("SELECT pg_advisory_unlock(4242)")
        let results = await outcomes
        let failed = results.filter { !$0.1 }
        #expect(!failed.isEmpty, "the kill came after every write had finished")
        for (k, _, error) in failed {
            #expect(error?.isUnavailable == true, "write \(k): \(String(describing: error))")
        }
        // Each write is all or nothing: the two halves hold the same keys, and every write
        // reported done is there.
        let left = Set(try await killer.query("SELECT k FROM left_half").rows.map { try $0.decode(Int.self, "k") })
        let right = Set(try await killer.query("SELECT k FROM right_half").rows.map { try $0.decode(Int.self, "k") })
        #expect(left == right)
        #expect(Set(results.filter(\.1).map(\.0)).isSubset(of: left))
        // The pool opens a new connection in place of the lost one.
        let secondPID = try #require(try await pool.query("SELECT pg_backend_pid() AS pid").first?.decode(Int.self, "pid"))
        #expect(secondPID != firstPID)
        #expect(pool.openConnections == 1)
    }

    @Test func theHardTimeoutBreaksTheConnectionAndTheNextStatementGetsANewOne() async throws {
        let url = try await TestDatabase.create("pipehard")
        let pool = PostgresPool(configuration: .init(url: url, maxConnections: 1, hardTimeout: .seconds(1)))
        defer { Task { await pool.shutdown() } }
        let firstPID = try #require(try await pool.query("SELECT pg_backend_pid() AS pid").first?.decode(Int.self, "pid"))
        // A statement that outlives the limit, and one sent behind it on the same connection.
        let started = ContinuousClock.now
        let slow = Task { try await pool.query("SELECT pg_sleep(10) AS slow") }
        while pool.usage.inUse < 1, ContinuousClock.now - started < .seconds(5) { try await Task.sleep(for: .milliseconds(1)) }
        let behind = Task { try await pool.query("SELECT 1 AS behind") }
        while pool.usage.inUse < 2, ContinuousClock.now - started < .seconds(1) { try await Task.sleep(for: .milliseconds(1)) }
        // Whether it was queued behind the slow one before the watchdog fired (a loaded machine
        // may start it later, on the new connection).
        let queuedBehind = pool.usage.inUse >= 2 && ContinuousClock.now - started < .milliseconds(900)
        // The watchdog's own error (pg_sleep(10) left alone would have answered with a row).
        let slowError = await #expect(throws: PostgresError.self) { _ = try await slow.value }
        #expect(
            slowError?.sqlState == SQLState.queryCanceled && slowError?.message.contains("did not answer within") == true,
            "\(String(describing: slowError))")
        // Sent before the break, it was in flight on the broken connection and fails too
        // (unavailable, or a timeout of its own if the machine is so loaded that its watchdog
        // fires first); sent after, it is answered on a new connection.
        do {
            let answer = try await behind.value.first?.decode(Int.self, "behind")
            #expect(!queuedBehind, "in flight on the broken connection, yet answered")
            #expect(answer == 1)
        } catch let error as PostgresError {
            #expect(error.isUnavailable || error.sqlState == SQLState.queryCanceled, "\(error)")
        }
        let secondPID = try #require(try await pool.query("SELECT pg_backend_pid() AS pid").first?.decode(Int.self, "pid"))
        #expect(secondPID != firstPID)
    }

    @Test func anythingButADataStatementStillLeasesAConnection() async throws {
        let pool = try await TestDatabase.pool("pipeddl", maxConnections: 1)
        defer { Task { await pool.shutdown() } }
        // CREATE TABLE cannot be prepared: it runs on a leased connection, and the pipelined
        // connection sees its result as soon as it commits.
        try await pool.query("CREATE TABLE made_here (n int)")
        try await pool.query("INSERT INTO made_here VALUES (\(5))")
        #expect(try await pool.query("SELECT n FROM made_here").first?.decode(Int.self, "n") == 5)
        #expect(pool.openConnections == 2)
    }
}
