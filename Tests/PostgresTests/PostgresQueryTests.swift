import Dates
import Postgres
import TestSupport
import Testing

/// Interpolated values become numbered parameters, never SQL text.
@Suite struct PostgresQueryTests {
    @Test func interpolationNumbersParametersInOrder() {
        let kind = "foi"
        let day = CivilDate(year: 2026, month: 11, day: 30)
        let team: String? = nil
        let query: PostgresQuery = "SELECT ref FROM requests WHERE kind = \(kind) AND due <= \(day) AND team = \(team) AND kind <> \(kind)"
        #expect(query.sql == "SELECT ref FROM requests WHERE kind = $1 AND due <= $2 AND team = $3 AND kind <> $4")
        #expect(query.binds.count == 4)
        #expect(query.binds.map { $0?.postgresText } == ["foi", "2026-11-30", nil, "foi"])
    }

    @Test func unescapedFragmentsAreSplicedAndLiteralsHaveNoParameters() {
        let columns = "id, ref"
        let query: PostgresQuery = "SELECT \(unescaped: columns) FROM requests WHERE ref = \("x'; DROP TABLE requests; --")"
        #expect(query.sql == "SELECT id, ref FROM requests WHERE ref = $1")
        #expect(query.binds.first??.postgresText == "x'; DROP TABLE requests; --")
        let plain: PostgresQuery = "SELECT 1"
        #expect(plain.sql == "SELECT 1" && plain.binds.isEmpty)
    }

    @Test func partsAreSplicedWithTheirParametersRenumbered() {
        let part: PostgresQuery = ", b AS (SELECT \(7) AS n, \("$12") AS t, $$x WHERE \(true))"
        #expect(part.sql == ", b AS (SELECT $1 AS n, $2 AS t, $$x WHERE $3)")
        let empty: PostgresQuery = ""
        let query: PostgresQuery = "WITH a AS (SELECT \(1) AS n, \(2) AS m)\(part)\(empty) SELECT \(3), n FROM a, b"
        #expect(query.sql == "WITH a AS (SELECT $1 AS n, $2 AS m), b AS (SELECT $3 AS n, $4 AS t, $$x WHERE $5) SELECT $6, n FROM a, b")
        #expect(query.binds.map { $0?.postgresText } == ["1", "2", "7", "$12", "t", "3"])
        let first: PostgresQuery = "\(part) SELECT \(9)"
        #expect(first.sql == ", b AS (SELECT $1 AS n, $2 AS t, $$x WHERE $3) SELECT $4")
    }

    @Test func arraysAreArrayLiteralsWithQuotingAndNulls() {
        #expect(["a", "b\"c", "d\\e", ""].postgresText == #"{"a","b\"c","d\\e",""}"#)
        #expect([1, -2].postgresText == #"{"1","-2"}"#)
        let dates: [CivilDate?] = [CivilDate(year: 2026, month: 1, day: 2), nil]
        #expect(dates.postgresText == #"{"2026-01-02",NULL}"#)
    }

    @Test(.requiresDatabase) func arraysRoundTripThroughPostgreSQL() async throws {
        let pool = try await TestDatabase.pool("arrays")
        defer { Task { await pool.shutdown() } }
        let names = ["uk", "it's \"quoted\"", "back\\slash", "with,comma {braces}"]
        let dates: [CivilDate?] = [CivilDate(year: 2026, month: 11, day: 30), nil, CivilDate(year: 2027, month: 1, day: 4), nil]
        let rows = try await pool.query("SELECT n, d FROM unnest(\(names)::text[], \(dates)::date[]) AS u(n, d)").rows
        #expect(try rows.map { try $0.decode(String.self, "n") } == names)
        #expect(try rows.map { try $0.decode(CivilDate?.self, "d") } == dates)
    }
}
