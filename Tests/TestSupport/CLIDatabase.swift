import Foundation

/// A user a test adds with `foiflow user add LOGIN --role ROLE OPTIONS...`.
public struct TestUser: Sendable {
    public var login: String
    public var role: String
    public var options: [String]

    public init(_ login: String, _ role: String, _ options: String...) {
        self.login = login
        self.role = role
        self.options = options
    }
}

/// What most tests of the binary start from: a new database migrated by `foiflow migrate`,
/// the users the test names (added by `foiflow user add`, tokens kept), and the environment
/// each of them runs `foiflow` in, on a fixed day. A step that fails throws, saying what
/// failed, rather than letting the test go on against half a set-up.
public struct CLIDatabase: Sendable {
    public let url: String
    /// The day `foiflow` is told is today (`FOIFLOW_TODAY`, honoured with the override).
    public let today: String
    /// Each user's API token, by login.
    public let tokens: [String: String]

    /// A new database (named after `label`), set up as `prepare` does.
    public static func create(_ label: String, today: String = "2026-12-01", users: [TestUser] = []) async throws -> CLIDatabase {
        try await prepare(TestDatabase.create(label), today: today, users: users)
    }

    /// Migrates the empty database at `url` (a cluster a test runs itself, say) and adds `users`.
    public static func prepare(_ url: String, today: String = "2026-12-01", users: [TestUser] = []) async throws -> CLIDatabase {
        let migrated = try await Foiflow.run(["migrate"], environment: ["DATABASE_URL": url])
        guard migrated.status == 0 else { throw TestSetupError("migrate failed: \(migrated.stderr)") }
        var tokens: [String: String] = [:]
        for user in users {
            // No acting user: the first user is made before anyone can act.
            let added = try await Foiflow.run(["user", "add", user.login, "--role", user.role] + user.options, environment: ["DATABASE_URL": url])
            guard added.status == 0 else { throw TestSetupError("user add \(user.login) failed: \(added.stderr)") }
            tokens[user.login] = added.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return CLIDatabase(url: url, today: today, tokens: tokens)
    }

    /// `DATABASE_URL` alone: no acting user, no fixed day.
    public var plain: [String: String] { ["DATABASE_URL": url] }

    /// The environment `login` (or nobody: `FOIFLOW_USER` empty) runs `foiflow` in, on `today`,
    /// with `extra` added.
    public func env(as login: String? = nil, _ extra: [String: String] = [:]) -> [String: String] {
        ["DATABASE_URL": url, "FOIFLOW_TODAY": today, "FOIFLOW_TODAY_OVERRIDE": "yes", "FOIFLOW_USER": login ?? ""].merging(extra) { $1 }
    }

    /// Runs `foiflow arguments...` as `login` (or nobody) on `today`.
    public func run(_ arguments: [String], as login: String? = nil, _ extra: [String: String] = [:]) async throws -> Foiflow.Outcome {
        try await Foiflow.run(arguments, environment: env(as: login, extra))
    }
}
