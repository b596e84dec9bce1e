import Dates
import Letters
import Logging
import Postgres
import Server
import ServiceLifecycle
import Store
import TestSupport
import Testing
import Workflow

/// A real `LineServer` on a free port over a fresh, migrated database.
final class ServerHarness {
    let pool: PostgresPool
    let server: LineServer
    let group: ServiceGroup
    let task: Task<Void, any Error>
    let port: Int

    let databaseURL: String

    init(
        configuration: ServerConfiguration = .init(), databaseURL: String? = nil, today: String = "2026-12-01", statementTimeoutMs: Int? = nil,
        unit: UnitContact = UnitContact()
    ) async throws {
        let url: String
        if let databaseURL {
            url = databaseURL
        } else {
            url = try await TestDatabase.createMigrated("server")
        }
        self.databaseURL = url
        pool = PostgresPool(
            configuration: .init(
                url: url, maxConnections: 4, leaseTimeout: .seconds(2),
                sessionSettings: statementTimeoutMs.map { ["SET statement_timeout = \($0)"] } ?? []))
        var configuration = configuration
        // A test that has not set the AUTH limit is not testing it: beside the whole suite on
        // two cores a test can wait seconds between connecting and its first command, and a
        // connection closed for that fails it for nothing (stop 32 lost a run this way).
        if configuration.authTimeout == ServerConfiguration().authTimeout { configuration.authTimeout = .seconds(300) }
        configuration.host = "127.0.0.1"
        configuration.port = 0
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let fixedToday = CivilDate(iso: today) ?? CivilDate(dayNumber: 0)
        server = LineServer(
            configuration: configuration,
            context: ServerContext(
                pool: pool, logger: logger, calendarMaxAge: .milliseconds(200), today: { fixedToday },
                letters: LetterWriter(book: Result { () throws(LetterError) in try LetterBook() }, unit: unit)))
        group = ServiceGroup(configuration: .init(services: [server], logger: logger))
        let group = self.group
        task = Task { try await group.run() }
        port = try await server.boundPort()
    }

    func client() throws -> LineClient { try LineClient(port: port) }

    /// Graceful shutdown, then waits for the server to return: at most `limit`, after which it
    /// throws (a server that never finishes draining fails the test instead of hanging the run).
    func stop(within limit: Duration = .seconds(30)) async throws {
        let group = self.group
        let task = self.task
        let stopping = Task {
            await group.triggerGracefulShutdown()
            try await task.value
        }
        guard let outcome = await result(of: stopping, within: limit) else {
            throw TestSetupError("the server did not stop within \(limit); \(server.connectionCount) connection(s) still open")
        }
        try outcome.get()
        await pool.shutdown()
    }
}

extension ServerHarness {
    /// A client already authenticated as a new user with `role`.
    func authenticatedClient(login: String = "tester", role: Role = .officer) async throws -> LineClient {
        let token = try #require(try await UserStore(pool: pool).add(login: login, role: role)?.token, "user \(login) not created")
        let client = try self.client()
        let status = try await client.call("AUTH \(token)")
        try #require(status.hasPrefix("OK "), "AUTH failed: \(status)")
        return client
    }
}
