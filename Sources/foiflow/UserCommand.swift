import ArgumentParser
import Foundation
import Store
import Workflow

/// `foiflow user ...`: manage users and their API tokens.
struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Manage users and their API tokens.",
        subcommands: [Add.self, Update.self, List.self, Disable.self, Enable.self, Token.self, CalendarToken.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a user and print its new API token alone on stdout (shown once).",
            discussion: """
                Roles: \(Role.names).

                Example:
                  foiflow user add asmith --role officer --team north --email as@example.org
                """)

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var actor: ActorOptions

        @Argument(help: "Login: a lower-case letter, then up to 62 of a-z 0-9 . _ -")
        var login: String

        @Option(help: ArgumentHelp("The user's role: \(Role.names).", valueName: "role"))
        var role: String

        @Option(help: "The user's team.") var team: String?
        @Option(help: "The user's full name.") var name: String?
        @Option(help: "The user's e-mail address (for notifications, and in letters when they lead a case).") var email: String?
        @Option(help: "The user's telephone number (in letters when they lead a case).") var phone: String?

        @Flag(help: "Create the user only if there are no users yet (first-run set-up); otherwise print nothing and exit 0.")
        var ifNoUsers = false

        func validate() throws {
            guard Role(name: role) != nil else {
                throw ValidationError("unknown role '\(role)'; use one of \(Role.names)")
            }
            do {
                try UserStore.validateLogin(login)
                try UserStore.validateDetails(team: team, name: name, email: email, phone: phone)
            } catch {
                throw ValidationError(error.description)
            }
        }

        func run() async throws {
            guard let role = Role(name: role) else { throw CLIError("unknown role", code: .badArgument) }
            let created = try await database.makePool().using { pool in
                // First-run set-up has nobody to check against; otherwise a named user must be allowed.
                let by = ifNoUsers ? actor.actor : try await actor.checkedActor(pool, for: .manageUsers)
                return try await UserStore(pool: pool).add(
                    login: login, role: role, team: team, name: name, email: email, phone: phone, onlyIfNoUsers: ifNoUsers, by: by)
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

        @OptionGroup var output: FormatOption<TableForms>

        func run() async throws {
            let users = try await database.makePool().using { try await UserStore(pool: $0).list() }
            let rows = users.map { user in
                [
                    user.login, user.role.rawValue, user.team ?? "", user.name ?? "", user.email ?? "", user.phone ?? "",
                    user.disabled ? "disabled" : "active",
                ]
            }
            print(output.format.render(header: ["login", "role", "team", "name", "email", "phone", "status"], rows: rows), terminator: "")
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Disable a user: their token stops working at once; their history stays.",
            discussion: "Example:\n  foiflow user disable asmith")

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var actor: ActorOptions
        @Argument(help: "The login.") var login: String

        func run() async throws {
            try await actor.managingUsers(database) { users, by in try await users.disable(login: login, by: by) }
            print("disabled \(login)")
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change a user's role, team, name, e-mail or telephone number; an empty value removes it.",
            discussion: """
                A change of role or team applies to the user's open sessions before their next command. Every change is recorded (foiflow audit changes).

                Examples:
                  foiflow user update admin --email foi@example.org
                  foiflow user update asmith --role manager --team south
                  foiflow user update asmith --phone ""
                """)

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var actor: ActorOptions
        @Argument(help: "The login.") var login: String
        @Option(help: ArgumentHelp("The new role: \(Role.names).", valueName: "role")) var role: String?
        @Option(help: "The new team (empty: no team, sees every team's requests).") var team: String?
        @Option(help: "The new full name.") var name: String?
        @Option(help: "The new e-mail address (notifications, escalations, and letters when they lead a case).") var email: String?
        @Option(help: "The new telephone number (in letters when they lead a case).") var phone: String?

        func validate() throws {
            if let role, Role(name: role) == nil { throw ValidationError("unknown role '\(role)'; use one of \(Role.names)") }
            guard role != nil || team != nil || name != nil || email != nil || phone != nil else {
                throw ValidationError("nothing to change: give --role, --team, --name, --email or --phone")
            }
        }

        func run() async throws {
            let changes = UserStore.Changes(role: role.flatMap(Role.init(name:)), team: team, name: name, email: email, phone: phone)
            let user = try await actor.managingUsers(database) { users, by in try await users.update(login: login, changes, by: by) }
            print(
                "updated \(user.login): role=\(user.role.rawValue) team=\(user.team ?? "") name=\(user.name ?? "") email=\(user.email ?? "") phone=\(user.phone ?? "")"
            )
        }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Enable a disabled user again and print their new API token alone on stdout (shown once; the old one stays revoked).",
            discussion: "Example:\n  foiflow user enable asmith")

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var actor: ActorOptions
        @Argument(help: "The login.") var login: String

        func run() async throws {
            let token = try await actor.managingUsers(database) { users, by in try await users.enable(login: login, by: by) }
            print(token)
        }
    }

    struct CalendarToken: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "calendar-token",
            abstract: "Issue or rotate an officer's calendar feed token; prints the feed's path (shown once).",
            discussion: """
                The feed (served by foiflow serve --web-listen) lists the due dates of the officer's open assigned requests, and their progress-update dates, for any calendar program. Rotating it stops the old address at once; so does disabling the user.

                Example:
                  foiflow user calendar-token asmith --as admin
                """)

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var actor: ActorOptions
        @Argument(help: "The login.") var login: String

        func run() async throws {
            let token = try await actor.managingUsers(database) { users, by in
                try await users.newToken(.calendar, login: login, by: by)
            }
            print("/calendar/\(token).ics")
        }
    }

    struct Token: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Issue a new API token for a user, revoking the old one; prints it alone on stdout (shown once).",
            discussion: "Example:\n  foiflow user token asmith")

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var actor: ActorOptions
        @Argument(help: "The login.") var login: String

        func run() async throws {
            let token = try await actor.managingUsers(database) { users, by in try await users.newToken(.api, login: login, by: by) }
            print(token)
        }
    }
}

extension ActorOptions {
    /// Runs `change` on the users, as this actor once checked to manage them (`checkedActor`).
    func managingUsers<T>(_ database: DatabaseOptions, _ change: (UserStore, String) async throws -> T) async throws -> T {
        try await changing(database, for: .manageUsers) { pool, by in try await change(UserStore(pool: pool), by) }
    }
}
