import ArgumentParser
import Deadlines
import Foundation
import Postgres
import Store
import Workflow

extension ActorOptions {
    /// The foiflow user commands act as: `--as`, else `$FOIFLOW_USER`; they must exist and be active.
    func requireUser(_ pool: PostgresPool) async throws -> Actor {
        guard let login = named else {
            throw CLIError("say who is acting: --as LOGIN or FOIFLOW_USER=LOGIN", code: .badArgument)
        }
        guard let user = try await UserStore(pool: pool).find(login: login) else {
            throw CLIError("no user '\(login)'", code: .notFound)
        }
        guard !user.disabled else { throw CLIError("user '\(login)' is disabled", code: .denied) }
        return Actor(login: user.login, role: user.role, team: user.team)
    }

    /// Opens the database, checks as `checkedActor` does that the user named may do `operation`,
    /// and runs `change` with the pool and the actor to record; the pool is closed however it ends.
    func changing<T>(
        _ database: DatabaseOptions, for operation: Workflow.Operation, _ change: (PostgresPool, String) async throws -> T
    ) async throws -> T {
        try await database.makePool().using { pool in try await change(pool, try await checkedActor(pool, for: operation)) }
    }

    /// For admin commands that need only database access: when a login is named, it must
    /// exist and its role must allow `operation`; the recorded actor is that login, else `os:<user>`.
    func checkedActor(_ pool: PostgresPool, for operation: Workflow.Operation) async throws -> String {
        guard let login = named else { return actor }
        guard let user = try await UserStore(pool: pool).find(login: login), !user.disabled else {
            throw CLIError("no active user '\(login)'", code: .notFound)
        }
        try Permissions.require(user.role, operation)
        return user.login
    }
}

/// `--as` on a command that only reads: read as that user sees, their team's requests and
/// those of no team (`Actor.scope`). Without it the CLI is the operator's, who holds the
/// database URL, and sees every team.
struct ReaderOptions: ParsableArguments {
    @Option(
        name: .customLong("as"),
        help: ArgumentHelp(
            "Read as this user: only the requests they may see (their team's and those of no team). Without it the CLI is the operator's and sees every team.",
            valueName: "login"))
    var login: String?

    /// The team the reader is kept to; `nil` for every team.
    func scope(_ pool: PostgresPool) async throws -> String? {
        guard let login else { return nil }
        guard let user = try await UserStore(pool: pool).find(login: login) else { throw CLIError("no user '\(login)'", code: .notFound) }
        guard !user.disabled else { throw CLIError("user '\(login)' is disabled", code: .denied) }
        return Actor(login: user.login, role: user.role, team: user.team).scope
    }
}

/// One request read as `--as` sees it (`request show|history`, `explain`, `letters`): the
/// database, the reader and the reference, and a pool with the reader's scope to read it with.
struct OneRequestOptions: ParsableArguments {
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var reader: ReaderOptions
    @Argument(help: "The request's reference.") var ref: String

    /// Runs `body` with a pool and the reader's scope (`nil`: every team).
    func read<T>(_ body: (PostgresPool, _ scope: String?) async throws -> T) async throws -> T {
        try await database.makePool().using { pool in try await body(pool, try await reader.scope(pool)) }
    }
}

/// `key=value` arguments, read exactly as the protocol reads a request line's named arguments.
enum FieldArguments {
    static func parse(_ arguments: [String]) throws -> [Field] {
        var fields: [Field] = []
        for argument in arguments {
            guard let equals = argument.firstIndex(of: "="), equals != argument.startIndex else {
                throw CLIError("'\(argument)' is not key=value", code: .badArgument)
            }
            let key = String(argument[..<equals])
            guard key.first.map({ $0 >= "a" && $0 <= "z" }) == true,
                key.allSatisfy({ ($0 >= "a" && $0 <= "z") || ($0 >= "0" && $0 <= "9") || $0 == "_" || $0 == "-" })
            else {
                throw CLIError("bad field name '\(key)': names are lower-case [a-z][a-z0-9_-]*", code: .badArgument)
            }
            guard !fields.contains(where: { $0.key == key }) else { throw CLIError("'\(key)' given twice", code: .badArgument) }
            fields.append(Field(key, String(argument[argument.index(after: equals)...])))
        }
        return fields
    }
}

extension PostgresPool {
    /// A request store over this pool (calendars from the database).
    var requestStore: RequestStore {
        RequestStore(pool: self, calendars: CalendarCache(store: HolidayStore(pool: self)), authority: Authority.fromEnvironment)
    }
}

extension Authority {
    /// `FOIFLOW_HOME_DIVISION`, else England and Wales.
    static var fromEnvironment: Authority {
        Authority(homeDivision: ProcessInfo.processInfo.environment["FOIFLOW_HOME_DIVISION"].flatMap(Division.init(rawValue:)) ?? .englandAndWales)
    }
}
