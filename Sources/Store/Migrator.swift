import Postgres

/// Applies migrations in order, each in its own transaction, recording each
/// with its checksum in `foiflow_migrations`.
///
/// Safe to run again (applied files are skipped) and safe to run twice at
/// once: a session advisory lock makes a second runner wait for the first.
public struct Migrator: Sendable {
    /// What a run did.
    public struct Report: Sendable, Equatable {
        /// Files applied by this run, in order.
        public var applied: [String]
        /// Files that were already applied.
        public var alreadyApplied: Int
        /// Open requests whose due date a migration's recalculation moved.
        public var recalculated: Int = 0
        /// Free-text exemptions read into grounds (migration 0014), with the codes it could not read.
        public var exemptions = GroundsStore.FreeTextReport()

        public init(applied: [String], alreadyApplied: Int, recalculated: Int = 0) {
            self.applied = applied
            self.alreadyApplied = alreadyApplied
            self.recalculated = recalculated
        }
    }

    /// The advisory lock key (`'foiflow.migrate'` as a number).
    static let lockKey = 7_419_238_475_001

    public let pool: PostgresPool

    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// Applies the pending `migrations`; refuses (changing nothing) when an
    /// applied file was edited or the database knows a migration that is missing here.
    public func migrate(_ migrations: [Migration]) async throws -> Report {
        try await pool.withConnection { connection in
            try connection.query("SELECT pg_advisory_lock(\(Migrator.lockKey))")
            defer { _ = try? connection.query("SELECT pg_advisory_unlock(\(Migrator.lockKey))") }
            try connection.query(
                """
                CREATE TABLE IF NOT EXISTS foiflow_migrations (
                    version    integer PRIMARY KEY,
                    name       text NOT NULL,
                    checksum   text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """)
            // Recalculations asked for by migrations, done after the last one (today's code
            // needs today's schema) and kept until done, so a failure is retried next time.
            try connection.query(
                """
                CREATE TABLE IF NOT EXISTS foiflow_pending_recalculations (
                    version integer PRIMARY KEY,
                    reason  text NOT NULL
                )
                """)
            let rows = try connection.query("SELECT version, name, checksum FROM foiflow_migrations ORDER BY version")
            var applied: [Int: (name: String, checksum: String)] = [:]
            for row in rows.rows {
                applied[try row.decode(Int.self, "version")] = (try row.decode(String.self, "name"), try row.decode(String.self, "checksum"))
            }
            let known = Set(migrations.map(\.version))
            if let unknown = applied.keys.sorted().first(where: { !known.contains($0) }), let entry = applied[unknown] {
                throw MigrationError.unknownApplied(
                    "the database has migration \(entry.name), which this build does not have: is this an older foiflow?")
            }
            for migration in migrations {
                if let entry = applied[migration.version], entry.checksum != migration.checksum {
                    throw MigrationError.edited(
                        "migration \(migration.name) was edited after it was applied (checksum \(entry.checksum.prefix(12)) in the database, \(migration.checksum.prefix(12)) on disk); add a new migration instead"
                    )
                }
            }
            var report = Report(applied: [], alreadyApplied: 0)
            for migration in migrations {
                if applied[migration.version] != nil {
                    report.alreadyApplied += 1
                    continue
                }
                try connection.withTransaction { tx in
                    try tx.executeScript(migration.sql)
                    if let reason = migration.recalculation {
                        try tx.query(
                            "INSERT INTO foiflow_pending_recalculations (version, reason) VALUES (\(migration.version), \(reason))")
                    }
                    try tx.query(
                        "INSERT INTO foiflow_migrations (version, name, checksum) VALUES (\(migration.version), \(migration.name), \(migration.checksum))"
                    )
                }
                report.applied.append(migration.name)
            }
            // A change to how due dates are derived: every open request's due date is derived
            // again, with a recalculate event where it moved; one transaction per pending reason.
            let pending = try connection.query("SELECT version, reason FROM foiflow_pending_recalculations ORDER BY version").rows
            for row in pending {
                let version = try row.decode(Int.self, "version")
                let reason = try row.decode(String.self, "reason")
                try connection.withTransaction { tx in
                    try HolidayStore.lockCalendar(tx)
                    report.recalculated += try HolidayStore.recalculate(tx, actor: "system", reason: reason).count
                    try tx.query("DELETE FROM foiflow_pending_recalculations WHERE version = \(version)")
                }
            }
            // Exemptions recorded as free text before grounds were data, read once.
            report.exemptions = try GroundsStore.parseQueuedFreeText(connection)
            // The application role's rights, renewed so that tables added by migrations are covered.
            let granting = try connection.query("SELECT to_regprocedure('foiflow_grant_app()') IS NOT NULL AS present").first
            if try granting?.decode(Bool.self, "present") == true {
                try connection.query("SELECT foiflow_grant_app()")
            }
            return report
        }
    }

    /// Versions and names applied so far (empty on a new database).
    public func appliedMigrations() async throws -> [(version: Int, name: String)] {
        let names = try await pool.withConnection { connection -> [String] in
            let exists = try connection.query("SELECT to_regclass('foiflow_migrations') IS NOT NULL AS present")
            guard try exists.first?.decode(Bool.self, "present") == true else { return [] }
            return try connection.query("SELECT name FROM foiflow_migrations ORDER BY version").rows.map { try $0.decode(String.self, at: 0) }
        }
        return names.map { (Int($0.prefix(while: \.isNumber)) ?? 0, $0) }
    }
}
