import Dates
import Foundation
import Postgres
import Store
import TestSupport
import Testing
import Workflow

@Suite(.requiresDatabase) struct MigratorTests {
    /// A temporary folder holding copies of the project's migrations plus `extra` files.
    func migrationFolder(extra: [String: String] = [:]) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("foiflow-mig-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: TestDatabase.sqlDirectory.path) where name.hasSuffix(".sql") {
            try FileManager.default.copyItem(at: TestDatabase.sqlDirectory.appendingPathComponent(name), to: dir.appendingPathComponent(name))
        }
        for (name, sql) in extra {
            try sql.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        return dir
    }

    @Test func freshApplyThenRerunIsANoOp() async throws {
        let pool = try await TestDatabase.pool("migfresh")
        defer { Task { await pool.shutdown() } }
        let migrations = try Migration.load(from: TestDatabase.sqlDirectory)
        let first = try await Migrator(pool: pool).migrate(migrations)
        #expect(first.applied == migrations.map(\.name))
        #expect(first.alreadyApplied == 0)
        let second = try await Migrator(pool: pool).migrate(migrations)
        #expect(second.applied.isEmpty)
        #expect(second.alreadyApplied == migrations.count)
        let recorded = try await pool.query("SELECT count(*) AS n FROM foiflow_migrations").first?.decode(Int.self, "n")
        #expect(recorded == migrations.count)
        // The schema is really there.
        #expect(try await pool.query("SELECT to_regclass('users') IS NOT NULL AS ok").first?.decode(Bool.self, "ok") == true)
    }

    @Test func migrationsApplyInVersionOrderEachInItsOwnTransaction() async throws {
        let pool = try await TestDatabase.pool("migorder")
        defer { Task { await pool.shutdown() } }
        let dir = try migrationFolder(extra: [
            "9001_a.sql": "CREATE TABLE probe (step int);",
            "9002_b.sql": "INSERT INTO probe VALUES (2);",
            "9003_bad.sql": "INSERT INTO probe VALUES (3); SELECT no_such_function();",
        ])
        let migrations = try Migration.load(from: dir)
        #expect(migrations.map(\.version) == migrations.map(\.version).sorted())
        await #expect(throws: PostgresError.self) { try await Migrator(pool: pool).migrate(migrations) }
        // 9001 and 9002 stay applied; 9003 rolled back entirely, including its INSERT.
        let steps = try await pool.query("SELECT step FROM probe ORDER BY step").rows.map { try $0.decode(Int.self, "step") }
        #expect(steps == [2])
        let applied = try await Migrator(pool: pool).appliedMigrations().map(\.name)
        #expect(applied.contains("9002_b.sql") && !applied.contains("9003_bad.sql"))
    }

    @Test func anEditedAppliedFileIsRefused() async throws {
        let pool = try await TestDatabase.pool("migedit")
        defer { Task { await pool.shutdown() } }
        let dir = try migrationFolder(extra: ["9001_x.sql": "CREATE TABLE x (a int);"])
        _ = try await Migrator(pool: pool).migrate(try Migration.load(from: dir))
        try "CREATE TABLE x (a int, b int);".write(to: dir.appendingPathComponent("9001_x.sql"), atomically: true, encoding: .utf8)
        try "CREATE TABLE y (a int);".write(to: dir.appendingPathComponent("9002_y.sql"), atomically: true, encoding: .utf8)
        let error = await #expect(throws: MigrationError.self) { try await Migrator(pool: pool).migrate(try Migration.load(from: dir)) }
        #expect(error?.description.contains("9001_x.sql was edited") == true)
        // Nothing else was applied either.
        #expect(try await pool.query("SELECT to_regclass('y') IS NULL AS absent").first?.decode(Bool.self, "absent") == true)
    }

    @Test func twoConcurrentRunsApplyEachMigrationOnce() async throws {
        let url = try await TestDatabase.create("migconc")
        let migrations = try Migration.load(from: try migrationFolder(extra: ["9001_slow.sql": "SELECT pg_sleep(0.3); CREATE TABLE slow (a int);"]))
        let poolA = PostgresPool(url: url), poolB = PostgresPool(url: url)
        defer {
            Task {
                await poolA.shutdown(); await poolB.shutdown()
            }
        }
        async let a = Migrator(pool: poolA).migrate(migrations)
        async let b = Migrator(pool: poolB).migrate(migrations)
        let (ra, rb) = try await (a, b)
        // One run applied everything, the other found it all applied.
        #expect(Set([ra.applied.count, rb.applied.count]) == [migrations.count, 0])
        let count = try await poolA.query("SELECT count(*) AS n, count(DISTINCT version) AS d FROM foiflow_migrations").first
        #expect(try count?.decode(Int.self, "n") == migrations.count)
        #expect(try count?.decode(Int.self, "d") == migrations.count)
    }

    @Test func aDatabaseNewerThanTheBuildIsRefused() async throws {
        let pool = try await TestDatabase.pool("mignewer")
        defer { Task { await pool.shutdown() } }
        _ = try await Migrator(pool: pool).migrate(try Migration.load(from: try migrationFolder(extra: ["9001_x.sql": "SELECT 1;"])))
        let error = await #expect(throws: MigrationError.self) {
            try await Migrator(pool: pool).migrate(try Migration.load(from: TestDatabase.sqlDirectory))
        }
        #expect(error?.description.contains("9001_x.sql") == true)
    }

    @Test func badFolderContentsAreRefused() throws {
        #expect(throws: MigrationError.self) { try Migration.load(from: try migrationFolder(extra: ["oops.sql": "SELECT 1;"])) }
        #expect(throws: MigrationError.self) { try Migration.load(from: try migrationFolder(extra: ["0001_dup.sql": "SELECT 1;"])) }
        #expect(throws: MigrationError.self) { try Migration.load(from: URL(fileURLWithPath: "/nonexistent-foiflow")) }
    }

    /// Migration 0009 fixes the fee-period rule (both ends disregarded): every open request
    /// whose due date the old rule gave is moved, with a recalculate event; others are left alone.
    @Test func theFeeRuleMigrationMovesOpenRequestsWithAFeePeriod() async throws {
        let pool = try await TestDatabase.pool("migfee")
        defer { Task { await pool.shutdown() } }
        let all = try Migration.load(from: TestDatabase.sqlDirectory)
        let fix = try #require(all.first { $0.name == "0009_fee_notice_day.sql" })
        #expect(fix.recalculation?.contains("FOIA s.10(2)") == true)
        _ = try await Migrator(pool: pool).migrate(all.filter { $0.version != fix.version })
        _ = try await UserStore(pool: pool).add(login: "asmith", role: .officer)
        let store = RequestStore(pool: pool, calendars: CalendarCache(store: HolidayStore(pool: pool), maxAge: .zero))
        let officer = Actor(login: "asmith", role: .officer)
        let today = try #require(CivilDate(iso: "2026-08-20"))
        let feeRef = try await store.create(
            kind: .foi, fields: [Field("received", "2026-08-03"), Field("requester", "R")], by: officer, today: today
        ).ref
        _ = try await store.act(ref: feeRef, action: .feeNotice, fields: [Field("on", "2026-08-07")], by: officer, today: today)
        _ = try await store.act(ref: feeRef, action: .feePaid, fields: [Field("on", "2026-08-18")], by: officer, today: today)
        let plainRef = try await store.create(
            kind: .foi, fields: [Field("received", "2026-08-03"), Field("requester", "R")], by: officer, today: today
        ).ref
        // As a row written under the old rule: one working day earlier.
        try await pool.query("UPDATE requests SET due = '2026-09-10' WHERE ref = \(feeRef)")
        let report = try await Migrator(pool: pool).migrate(all)
        #expect(report.applied.contains(fix.name))
        #expect(try await store.show(ref: feeRef, today: today).due == CivilDate(iso: "2026-09-11"))
        let last = try #require(try await store.history(ref: feeRef).last)
        #expect(last.action == "recalculate" && last.fields.contains(Field("previous_due", "2026-09-10")))
        #expect(try await store.history(ref: plainRef).map(\.action) == ["create"])
    }
}

/// Migration 0014 turns free-text exemptions into grounds with the reader ACT uses, and lists
/// (and keeps) what it cannot read.
@Suite(.requiresDatabase) struct FreeTextExemptionsMigrationTests {
    @Test func realLookingStringsAreReadOrListed() async throws {
        let pool = try await TestDatabase.pool("migfreetext")
        defer { Task { await pool.shutdown() } }
        let all = try Migration.load(from: TestDatabase.sqlDirectory)
        // Up to 0013: the fee-rule recalculation 0009 asks for runs with this build's code, which
        // reads 0014's columns, so it fails and stays pending, to run once 0014 is applied.
        await #expect(throws: (any Error).self) { try await Migrator(pool: pool).migrate(all.filter { $0.version < 14 }) }
        #expect(try await pool.query("SELECT count(*) AS n FROM foiflow_pending_recalculations").first?.decode(Int.self, "n") == 1)
        // As officers typed them before grounds were data.
        let typed: [(String, String, String)] = [
            ("FOI-2025-000001", "foi", "s.40(2)"),
            ("FOI-2025-000002", "foi", "Section 31(1)(a) and Section 30"),
            ("FOI-2025-000003", "foi", "S40(2), S38"),
            ("FOI-2025-000004", "foi", "s40(2) (personal data); s31 (law enforcement)"),
            ("FOI-2025-000005", "foi", "section 40"),
            ("FOI-2025-000006", "foi", "Exempt - see letter"),
            ("FOI-2025-000007", "foi", "s31 & s40(2)"),
            ("FOI-2025-000008", "foi", "FOIA s.23(5)/s.24(2)"),
            ("FOI-2025-000009", "foi", "s31, s99"),
            ("EIR-2025-000001", "eir", "reg 12(5)(b)"),
            ("EIR-2025-000002", "eir", "12(4)(a)"),
            ("SAR-2025-000001", "sar", "Sch 2 para 2, DPA s45(4)(b)"),
            ("SAR-2025-000002", "sar", "  "),
        ]
        for (ref, kind, text) in typed {
            try await pool.query(
                """
                INSERT INTO requests (ref, kind, state, version, received, calendar, due, max_due, clock, requester, outcome,
                                      exemptions, responded_on, created_by)
                VALUES (\(ref), \(kind), 'responded', 2, '2025-11-03', 'uk', '2025-12-01', '2025-12-01',
                        '{"start":"2025-11-03"}'::jsonb, 'R', 'refused', \(text), '2025-11-28', 'asmith')
                """)
        }
        try await pool.query(
            """
            INSERT INTO requests (ref, kind, state, version, received, calendar, due, max_due, clock, requester, outcome, exemptions,
                                  responded_on, parent_ref, created_by)
            VALUES ('REV-2025-000001', 'review', 'responded', 2, '2025-12-03', 'uk', '2026-01-02', '2026-01-30',
                    '{"start":"2025-12-03"}'::jsonb, 'R', 'refused', 'r13', '2025-12-20', 'EIR-2025-000001', 'asmith')
            """)
        let report = try await Migrator(pool: pool).migrate(all)
        #expect(report.applied.first == "0014_grounds_reviews_ico.sql")
        #expect(try await pool.query("SELECT count(*) AS n FROM foiflow_pending_recalculations").first?.decode(Int.self, "n") == 0)
        let grounds = try await pool.query(
            """
            SELECT r.ref, string_agg(g.cited, ' ' ORDER BY g.cited) AS cited
            FROM request_grounds g JOIN requests r ON r.id = g.request_id WHERE g.in_response GROUP BY r.ref ORDER BY r.ref
            """
        ).rows.map { "\(try $0.decode(String.self, "ref")): \(try $0.decode(String.self, "cited"))" }
        #expect(
            grounds == [
                "EIR-2025-000001: r12(5)(b)", "FOI-2025-000001: s40(2)", "FOI-2025-000002: s30 s31(1)(a)", "FOI-2025-000003: s38 s40(2)",
                "FOI-2025-000004: s31 s40(2)", "FOI-2025-000007: s31 s40(2)", "FOI-2025-000008: s23(5) s24(2)", "FOI-2025-000009: s31",
                "REV-2025-000001: r13", "SAR-2025-000001: dpa-s45(4)(b) dpa-sch2-p2",
            ])
        #expect(report.exemptions.grounds == 16 && report.exemptions.requests == 10)
        // What it could not read is listed and kept, with why; the text on the request is unchanged.
        #expect(
            report.exemptions.unparsed.map { "\($0.ref) \($0.code)" } == [
                "EIR-2025-000002 12(4)(a)", "FOI-2025-000005 section 40", "FOI-2025-000006 Exempt - see letter", "FOI-2025-000009 s99",
            ])
        #expect(report.exemptions.unparsed[1].problem.contains("not precise enough: s40(1)"))
        let unparsed = try await GroundsStore(pool: pool).unparsed()
        #expect(unparsed.count == 4 && unparsed[1].contains(Field("text", "section 40")))
        let kept = try await pool.query("SELECT exemptions FROM requests WHERE ref = 'FOI-2025-000006'").first?.decode(String.self, "exemptions")
        #expect(kept == "Exempt - see letter")
        // Read once: a second run finds nothing to do.
        let again = try await Migrator(pool: pool).migrate(all)
        #expect(again.applied.isEmpty && again.exemptions == GroundsStore.FreeTextReport())
    }
}
