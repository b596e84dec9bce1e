import ArgumentParser
import Foundation
import Store

/// `foiflow migrate`: apply `sql/` migrations in order.
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply the SQL migrations in order; safe to run again.",
        discussion: """
            Each file in sql/ (NNNN_name.sql) runs once, in its own transaction, and is recorded with its checksum. A file edited after it was applied is refused. Two runs at once are safe: the second waits for the first.

            Example:
              foiflow migrate --database-url postgresql://localhost/foiflow
            """)

    @OptionGroup var database: DatabaseOptions

    @Option(help: ArgumentHelp("Folder of migration files (default: $FOIFLOW_SQL_DIR, ./sql, or beside the executable).", valueName: "dir"))
    var sqlDir: String?

    func run() async throws {
        let directory: URL
        if let sqlDir {
            directory = URL(fileURLWithPath: sqlDir)
        } else if let found = Migration.locateDirectory() {
            directory = found
        } else {
            throw CLIError("migrate: cannot find the sql/ folder; pass --sql-dir or set FOIFLOW_SQL_DIR")
        }
        let migrations: [Migration]
        do {
            migrations = try Migration.load(from: directory)
        } catch {
            throw CLIError("migrate: \(error)")
        }
        let report = try await database.makePool().using { pool in
            try await Migrator(pool: pool).migrate(migrations)
        }
        for name in report.applied { print("applied \(name)") }
        if report.recalculated > 0 { print("due dates recalculated: \(report.recalculated)") }
        let exemptions = report.exemptions
        if exemptions.grounds > 0 || !exemptions.unparsed.isEmpty {
            print("free-text exemptions: \(exemptions.grounds) grounds recorded on \(exemptions.requests) requests")
            if !exemptions.unparsed.isEmpty {
                print("not understood (kept as written; see unparsed_exemptions, or foiflow grounds --unparsed):")
                for entry in exemptions.unparsed { print("  \(entry.ref)  \(entry.code)  \(entry.problem)") }
            }
        }
        print("migrations: \(report.applied.count) applied, \(report.alreadyApplied) already applied")
    }
}
