import Postgres
import TestSupport
import Testing

@Suite(.requiresDatabase) struct ErrorAndTransactionTests {
    @Test func uniqueViolationCarriesSQLStateAndConstraint() async throws {
        let pool = try await TestDatabase.pool("unique")
        defer { Task { await pool.shutdown() } }
        try await pool.query("CREATE TABLE t (k text CONSTRAINT t_k_key UNIQUE)")
        try await pool.query("INSERT INTO t VALUES (\("x"))")
        let error = await #expect(throws: PostgresError.self) { try await pool.query("INSERT INTO t VALUES (\("x"))") }
        #expect(error?.kind == .server)
        #expect(error?.sqlState == SQLState.uniqueViolation)
        #expect(error?.constraint == "t_k_key")
        #expect(error?.detail?.contains("(k)=(x)") == true)
    }

    @Test func syntaxErrorIsAServerError() async throws {
        let pool = try await TestDatabase.pool("syntax")
        defer { Task { await pool.shutdown() } }
        let error = await #expect(throws: PostgresError.self) { try await pool.query("SELEC 1") }
        #expect(error?.sqlState == "42601")
    }

    @Test func transactionRollsBackOnThrow() async throws {
        let pool = try await TestDatabase.pool("tx")
        defer { Task { await pool.shutdown() } }
        try await pool.query("CREATE TABLE t (v int)")
        struct Boom: Error {}
        await #expect(throws: Boom.self) {
            try await pool.withTransaction { connection in
                try connection.query("INSERT INTO t VALUES (1)")
                throw Boom()
            }
        }
        // A failing statement also rolls back everything before it.
        await #expect(throws: PostgresError.self) {
            try await pool.withTransaction { connection in
                try connection.query("INSERT INTO t VALUES (2)")
                try connection.query("INSERT INTO t VALUES (\("not a number"))")
            }
        }
        try await pool.withTransaction { connection in
            try connection.query("INSERT INTO t VALUES (3)")
        }
        let count = try await pool.query("SELECT count(*) AS n, max(v) AS m FROM t").first
        #expect(try count?.decode(Int.self, "n") == 1)
        #expect(try count?.decode(Int.self, "m") == 3)
    }

    @Test func unreachableServerIsConnectionFailed() async throws {
        let pool = PostgresPool(configuration: .init(url: "postgresql://postgres@127.0.0.1:1/none", maxConnections: 1))
        defer { Task { await pool.shutdown() } }
        let error = await #expect(throws: PostgresError.self) { try await pool.query("SELECT 1") }
        #expect(error?.kind == .connectionFailed)
        #expect(error?.isUnavailable == true)
        #expect(error?.message.contains("\n") == false)
        // The failed attempt frees its place in the pool.
        #expect(pool.openConnections == 0)
    }

    @Test func affectedRowsAreReported() async throws {
        let pool = try await TestDatabase.pool("affected")
        defer { Task { await pool.shutdown() } }
        try await pool.query("CREATE TABLE t (v int)")
        let insert = try await pool.query("INSERT INTO t SELECT generate_series(1, 5)")
        #expect(insert.affectedRows == 5)
        let update = try await pool.query("UPDATE t SET v = v + 1 WHERE v > \(3)")
        #expect(update.affectedRows == 2)
    }
}
