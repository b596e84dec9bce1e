import Digest
import Foundation
import Postgres
import Store
import Testing

/// Fresh PostgreSQL databases for integration tests.
///
/// `FOIFLOW_TEST_DATABASE_URL` names a server where the tests may create
/// databases (`scripts/test` starts a throwaway one and sets it). Without it
/// the tests that need PostgreSQL are skipped with a reason, except under CI
/// (`CI` set), where they run and fail: a database test is never skipped silently.
public enum TestDatabase {
    /// The administrative URL, if configured.
    public static var adminURL: String? {
        let url = ProcessInfo.processInfo.environment["FOIFLOW_TEST_DATABASE_URL"]
        return url?.isEmpty == false ? url : nil
    }

    /// Whether database tests should run: configured, or required by CI.
    public static var shouldRun: Bool {
        adminURL != nil || ProcessInfo.processInfo.environment["CI"] != nil
    }

    /// Creates a new empty database and returns its connection URL.
    public static func create(_ label: String = "t") async throws -> String {
        try await create(label, template: nil)
    }

    /// A new database with every migration applied: a copy (`CREATE DATABASE ... TEMPLATE`) of
    /// one database migrated once per set of migrations, rather than each test running all of
    /// them. Beside the whole suite on two cores a hundred tests each migrating their own
    /// database kept PostgreSQL busy enough for a 5 s AUTH to be answered late.
    public static func createMigrated(_ label: String = "t") async throws -> String {
        try await create(label, template: MigratedTemplate.shared.name(adminURL: requireAdminURL()))
    }

    private static func create(_ label: String, template: String?) async throws -> String {
        let adminURL = try requireAdminURL()
        let name = try newName(label)
        try await onAdmin { admin in
            if let template {
                try admin.query("CREATE DATABASE \(unescaped: name) TEMPLATE \(unescaped: template)")
            } else {
                try admin.query("CREATE DATABASE \(unescaped: name)")
            }
        }
        return url(adminURL, database: name)
    }

    static func requireAdminURL() throws -> String {
        guard let adminURL else {
            throw TestSetupError("FOIFLOW_TEST_DATABASE_URL is not set; run the tests with scripts/test (CI requires a database)")
        }
        return adminURL
    }

    /// Runs `body` on a connection to the administrative database, off the cooperative pool.
    @discardableResult
    static func onAdmin<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) throws -> T) async throws -> T {
        let adminURL = try requireAdminURL()
        return try await offThePool {
            let admin = try PostgresConnection(url: adminURL)
            defer { admin.close() }
            return try body(admin)
        }
    }

    /// A database name of ours for `label`, checked to be `[a-z0-9_]` (identifiers cannot be
    /// parameters; a failed check fails the test that asked rather than crashing the run).
    static func newName(_ label: String) throws -> String {
        let name = "foiflow_\(label.lowercased().filter { $0.isLetter || $0.isNumber })_\(UInt32.random(in: 0...UInt32.max))"
        try #require(name.allSatisfy { ($0.isLowercase || $0.isNumber || $0 == "_") && $0.isASCII }, "bad database name \(name)")
        return name
    }

    /// `base` with its database replaced by `database` (URI or keyword form).
    public static func url(_ base: String, database: String) -> String {
        if base.hasPrefix("postgres://") || base.hasPrefix("postgresql://"), var components = URLComponents(string: base) {
            components.path = "/" + database
            return components.string ?? base
        }
        return base + " dbname=\(database)"
    }

    /// A pool over a fresh database.
    public static func pool(_ label: String = "t", maxConnections: Int = 4, leaseTimeout: Duration = .seconds(10)) async throws -> PostgresPool {
        PostgresPool(configuration: .init(url: try await create(label), maxConnections: maxConnections, leaseTimeout: leaseTimeout))
    }

    /// A pool over a fresh database with every migration applied (`createMigrated`).
    public static func migratedPool(_ label: String = "t", maxConnections: Int = 4) async throws -> PostgresPool {
        PostgresPool(configuration: .init(url: try await createMigrated(label), maxConnections: maxConnections))
    }

    /// The first column of every row of `sql` (trusted test SQL) on the database in `env["DATABASE_URL"]`.
    public static func rows(_ env: [String: String], _ sql: String) async throws -> [String] {
        let url = env["DATABASE_URL"] ?? ""
        return try await offThePool {
            let connection = try PostgresConnection(url: url)
            defer { connection.close() }
            return try connection.query(PostgresQuery(unsafeSQL: sql)).rows.map { try $0.decode(String.self, at: 0) }
        }
    }

    /// Runs trusted test SQL on the database in `env["DATABASE_URL"]`.
    public static func execute(_ env: [String: String], _ sql: String) async throws {
        let url = env["DATABASE_URL"] ?? ""
        try await offThePool {
            let connection = try PostgresConnection(url: url)
            defer { connection.close() }
            try connection.query(PostgresQuery(unsafeSQL: sql))
        }
    }

    /// The package's root folder (from this file's path).
    public static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// The project's `sql/` folder.
    public static var sqlDirectory: URL {
        if let dir = ProcessInfo.processInfo.environment["FOIFLOW_SQL_DIR"], !dir.isEmpty { return URL(fileURLWithPath: dir) }
        return packageRoot.appendingPathComponent("sql")
    }
}

/// The migrated database the test databases are copied from: one per set of migrations (its
/// name carries their checksums, so a changed migration makes a new one), made once per run,
/// under a temporary name until complete (a copy never starts from half a migration).
actor MigratedTemplate {
    static let shared = MigratedTemplate()
    private var made: Task<String, any Error>?

    func name(adminURL: String) async throws -> String {
        if let made { return try await made.value }
        let task = Task { try await Self.make(adminURL: adminURL) }
        made = task
        return try await task.value
    }

    private static func make(adminURL: String) async throws -> String {
        let migrations = try Migration.load(from: TestDatabase.sqlDirectory)
        let digest = SHA256.hex(migrations.map(\.checksum).joined(separator: ","))
        let name = "foiflow_template_\(digest.prefix(16))"
        let exists = try await TestDatabase.onAdmin { try !$0.query("SELECT 1 FROM pg_database WHERE datname = \(name)").rows.isEmpty }
        if exists { return name }
        let building = try TestDatabase.newName("templatebuilding")
        try await TestDatabase.onAdmin { try $0.query("CREATE DATABASE \(unescaped: building)") }
        let pool = PostgresPool(url: TestDatabase.url(adminURL, database: building), maxConnections: 1)
        do {
            _ = try await Migrator(pool: pool).migrate(migrations)
            await pool.shutdown()
        } catch {
            await pool.shutdown()
            throw error
        }
        try await TestDatabase.onAdmin { admin in
            do {
                try admin.query("ALTER DATABASE \(unescaped: building) RENAME TO \(unescaped: name)")
            } catch {
                // Made meanwhile by another run on the same server: that one will do.
                try admin.query("DROP DATABASE IF EXISTS \(unescaped: building)")
            }
        }
        return name
    }
}

/// Runs blocking work (libpq's synchronous calls: a `CREATE DATABASE` takes a second on a
/// loaded machine) on a thread of its own, off Swift's cooperative pool. That pool has one
/// thread per core, two here, and the whole suite's tasks share it: a hundred tests each
/// blocking a thread while making its database starved the rest (tests with timers ran 100 s
/// in CI, and one missed a 5 s AUTH limit).
public func offThePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
    }
}

/// A test could not be set up.
public struct TestSetupError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension Trait where Self == ConditionTrait {
    /// Runs the test when a test database is configured or CI requires one.
    public static var requiresDatabase: Self {
        .enabled(if: TestDatabase.shouldRun, "needs PostgreSQL: run the tests with scripts/test")
    }
}
