import ArgumentParser
import Foundation
import Postgres

/// `--database-url`, shared by every command that talks to PostgreSQL.
struct DatabaseOptions: ParsableArguments {
    @Option(
        name: .customLong("database-url"),
        help: ArgumentHelp(
            "libpq connection string or URI (default: $DATABASE_URL, else libpq's PG* variables).",
            valueName: "url"))
    var databaseURL: String?

    /// The URL to connect with: the flag, else `DATABASE_URL`, else "" (libpq defaults).
    var resolvedURL: String {
        databaseURL ?? ProcessInfo.processInfo.environment["DATABASE_URL"] ?? ""
    }

    /// A pool for this process; `maxConnections` for the server, 2 for one-shot commands.
    func makePool(maxConnections: Int = 2, sessionSettings: [String] = [], hardTimeout: Duration? = nil) -> PostgresPool {
        PostgresPool(
            configuration: .init(url: resolvedURL, maxConnections: maxConnections, sessionSettings: sessionSettings, hardTimeout: hardTimeout))
    }
}

extension PostgresPool {
    /// Runs `body` with the pool and shuts the pool down afterwards, also on failure.
    func using<T>(_ body: (PostgresPool) async throws -> T) async throws -> T {
        do {
            let value = try await body(self)
            await shutdown()
            return value
        } catch {
            await shutdown()
            throw CLIError.from(error) ?? error
        }
    }
}
