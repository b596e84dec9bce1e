import Digest
import Foundation

/// One migration file: `sql/NNNN_name.sql`, applied once, in version order.
public struct Migration: Sendable, Equatable {
    /// The number the file name starts with.
    public var version: Int
    /// The file name.
    public var name: String
    /// The SQL text.
    public var sql: String
    /// SHA-256 (hex) of the file's bytes: an edit after applying is refused.
    public var checksum: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
        self.checksum = SHA256.hex(sql)
    }

    /// A line `-- foiflow: recalculate open due dates: REASON` asks the migrator to derive
    /// every open request's due date again (a fix to a clock rule), after the last migration
    /// of the run, when the schema is today's; it stays pending until done. The reason is
    /// recorded on each `recalculate` event.
    public var recalculation: String? {
        let marker = "-- foiflow: recalculate open due dates:"
        for line in sql.split(separator: "\n") where line.hasPrefix(marker) {
            return line.dropFirst(marker.count).trimmingCharacters(in: .whitespaces)
        }
        return nil
    }

    /// Loads every `NNNN_name.sql` in `directory`, sorted by version.
    /// Other `.sql` file names and duplicate versions are errors.
    public static func load(from directory: URL) throws(MigrationError) -> [Migration] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw .unreadable("cannot read the migrations folder \(directory.path): \(error.localizedDescription)")
        }
        var migrations: [Migration] = []
        for name in names.sorted() where name.hasSuffix(".sql") {
            let digits = name.prefix(while: \.isNumber)
            guard !digits.isEmpty, let version = Int(digits), name.dropFirst(digits.count).first == "_" else {
                throw .badFileName("\(name): migration files are named NNNN_description.sql")
            }
            if let other = migrations.first(where: { $0.version == version }) {
                throw .duplicateVersion("\(other.name) and \(name) share version \(version)")
            }
            let url = directory.appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: url.path),
                let sql = String(data: data, encoding: .utf8)
            else {
                throw .unreadable("cannot read \(url.path) as UTF-8")
            }
            migrations.append(Migration(version: version, name: name, sql: sql))
        }
        guard !migrations.isEmpty else { throw .unreadable("no migration files in \(directory.path)") }
        return migrations.sorted { $0.version < $1.version }
    }

    /// Finds the `sql/` folder: `$FOIFLOW_SQL_DIR`, else `./sql`, else a `sql`
    /// folder beside or above the running executable (as in a source checkout).
    public static func locateDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL? {
        let fm = FileManager.default
        func hasMigrations(_ url: URL) -> Bool {
            (try? fm.contentsOfDirectory(atPath: url.path))?.contains { $0.hasSuffix(".sql") } ?? false
        }
        if let explicit = environment["FOIFLOW_SQL_DIR"], !explicit.isEmpty {
            return URL(fileURLWithPath: explicit)
        }
        let cwd = URL(fileURLWithPath: fm.currentDirectoryPath).appendingPathComponent("sql")
        if hasMigrations(cwd) { return cwd }
        var dir = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<6 {
            for candidate in [dir.appendingPathComponent("sql"), dir.appendingPathComponent("share/foiflow/sql")] where hasMigrations(candidate) {
                return candidate
            }
            dir = dir.deletingLastPathComponent()
        }
        return nil
    }
}

/// Why migrations could not be loaded or applied.
public enum MigrationError: Error, Sendable, CustomStringConvertible {
    case unreadable(String)
    case badFileName(String)
    case duplicateVersion(String)
    /// An already-applied file has changed since.
    case edited(String)
    /// The database has a migration this build does not know.
    case unknownApplied(String)

    public var description: String {
        switch self {
        case .unreadable(let text), .badFileName(let text), .duplicateVersion(let text): text
        case .edited(let text), .unknownApplied(let text): text
        }
    }
}
