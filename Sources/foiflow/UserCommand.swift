import ArgumentParser
import Foundation
import Store
import Workflow

/// `foiflow user ...`: manage users and their API tokens.
struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Manage users and their API tokens.",
        subcommands: [Add.self, List.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a user and print its new API token alone on stdout (shown once).",
            discussion: """
                Roles: officer, manager, admin, auditor, system.

                Example:
                  foiflow user add asmith --role officer --team north --email a.smith@example.org
                """)

        @OptionGroup var database: DatabaseOptions

        @Argument(help: "Login: a lower-case letter, then up to 62 of a-z 0-9 . _ -")
        var login: String

        @Option(help: "officer, manager, admin, auditor or system.")
        var role: String

        @Option(help: "The user's team.") var team: String?
        @Option(help: "The user's full name.") var name: String?
        @Option(help: "The user's e-mail address (for notifications).") var email: String?

        @Flag(help: "Create the user only if there are no users yet (first-run set-up); otherwise print nothing and exit 0.")
        var ifNoUsers = false

        func validate() throws {
            guard Role(name: role) != nil else {
                throw ValidationError("unknown role '\(role)'; use one of \(Role.names)")
            }
            do {
                try UserStore.validateLogin(login)
            } catch {
                throw ValidationError(error.description)
            }
        }

        func run() async throws {
            guard let role = Role(name: role) else { throw CLIError("unknown role", exitCode: .usage) }
            let created = try await database.makePool().using { pool in
                try await UserStore(pool: pool).add(
                    login: login, role: role, team: team, name: name, email: email, onlyIfNoUsers: ifNoUsers)
            }
            guard let created else {
                FileHandle.standardError.write(Data("foiflow: users exist already; '\(login)' was not created\n".utf8))
                return
            }
            print(created.token)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List users.",
            discussion: "Example:\n  foiflow user list --format csv")

        @OptionGroup var database: DatabaseOptions

        @Option(help: "table, csv or json.") var format: OutputFormat = .table

        func run() async throws {
            let users = try await database.makePool().using { try await UserStore(pool: $0).list() }
            let rows = users.map { user in
                [user.login, user.role.rawValue, user.team ?? "", user.name ?? "", user.email ?? "", user.disabled ? "disabled" : "active"]
            }
            print(format.render(header: ["login", "role", "team", "name", "email", "status"], rows: rows), terminator: "")
        }
    }
}
