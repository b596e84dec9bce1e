import Dates
import Foundation
import Postgres
import TestSupport
import Testing

@Suite(.requiresDatabase) struct TypeRoundTripTests {
    @Test func everySupportedTypeRoundTrips() async throws {
        let pool = try await TestDatabase.pool("types")
        defer { Task { await pool.shutdown() } }
        let date = try #require(CivilDate(iso: "2024-02-29"))
        let instant = Date(timeIntervalSince1970: 1_790_000_000.123456)
        let bytes = PostgresBytes([0, 1, 0x7f, 0x80, 0xff])
        let row = try #require(
            try await pool.query(
                "SELECT \(Int.min)::int8 AS i, \(Int32(-7))::int4 AS i4, \("héllo ☃ \"quoted\" 'single'")::text AS t, \(true)::bool AS b, \(date)::date AS d, \(instant)::timestamptz AS ts, \(bytes)::bytea AS by, \(2.5)::float8 AS f, \(nil as Int?)::int8 AS n, \(false)::bool AS bf"
            ).first)
        #expect(try row.decode(Int.self, "i") == Int.min)
        #expect(try row.decode(Int32.self, "i4") == -7)
        #expect(try row.decode(String.self, "t") == "héllo ☃ \"quoted\" 'single'")
        #expect(try row.decode(Bool.self, "b") == true)
        #expect(try row.decode(Bool.self, "bf") == false)
        #expect(try row.decode(CivilDate.self, "d") == date)
        let decoded = try row.decode(Date.self, "ts")
        #expect(abs(decoded.timeIntervalSince1970 - instant.timeIntervalSince1970) < 0.000_001)
        #expect(try row.decode(PostgresBytes.self, "by") == bytes)
        #expect(try row.decode(Double.self, "f") == 2.5)
        #expect(try row.decode(Int?.self, "n") == nil)
        #expect(throws: PostgresError.self) { try row.decode(Int.self, "n") }
    }

    @Test func nullForEveryType() async throws {
        let pool = try await TestDatabase.pool("nulls")
        defer { Task { await pool.shutdown() } }
        let row = try #require(
            try await pool.query(
                "SELECT NULL::int8 AS i, NULL::text AS t, NULL::bool AS b, NULL::date AS d, NULL::timestamptz AS ts, NULL::bytea AS by"
            ).first)
        #expect(try row.decode(Int?.self, "i") == nil)
        #expect(try row.decode(String?.self, "t") == nil)
        #expect(try row.decode(Bool?.self, "b") == nil)
        #expect(try row.decode(CivilDate?.self, "d") == nil)
        #expect(try row.decode(Date?.self, "ts") == nil)
        #expect(try row.decode(PostgresBytes?.self, "by") == nil)
    }

    @Test func oneMebibyteTextAndUnicodeRoundTrip() async throws {
        let pool = try await TestDatabase.pool("big")
        defer { Task { await pool.shutdown() } }
        let unit = "aé☃😀\n\t\\\"' "
        let big = String(repeating: unit, count: (1 << 20) / unit.utf8.count + 1)
        #expect(big.utf8.count >= 1 << 20)
        let row = try #require(try await pool.query("SELECT \(big)::text AS v, octet_length(\(big)::text) AS n").first)
        #expect(try row.decode(String.self, "v") == big)
        #expect(try row.decode(Int.self, "n") == big.utf8.count)
    }

    @Test func typeMismatchIsAClearError() async throws {
        let pool = try await TestDatabase.pool("mismatch")
        defer { Task { await pool.shutdown() } }
        let row = try #require(try await pool.query("SELECT current_date AS d, 1 AS one").first)
        let error = try #require(throws: PostgresError.self) { try row.decode(Int.self, "d") }
        #expect(error.kind == .decoding)
        #expect(error.message.contains("'d'") && error.message.contains("date") && error.message.contains("Int"))
        #expect(throws: PostgresError.self) { try row.decode(Bool.self, "one") }
        #expect(throws: PostgresError.self) { try row.decode(Int.self, "missing") }
    }

    @Test func sessionIsUTCWithISODates() async throws {
        let pool = try await TestDatabase.pool("session")
        defer { Task { await pool.shutdown() } }
        let row = try #require(
            try await pool.query("SELECT current_setting('TimeZone') AS tz, current_setting('DateStyle') AS ds, '2026-11-20'::date::text AS d").first)
        #expect(try row.decode(String.self, "tz") == "UTC")
        #expect(try row.decode(String.self, "ds").hasPrefix("ISO"))
        #expect(try row.decode(String.self, "d") == "2026-11-20")
    }

    @Test func aParameterWithNULIsRefusedNotTruncated() async throws {
        let pool = try await TestDatabase.pool("nul")
        defer { Task { await pool.shutdown() } }
        let error = await #expect(throws: PostgresError.self) { try await pool.query("SELECT \("a\u{0}b")::text") }
        #expect(error?.kind == .invalidParameter)
    }
}
