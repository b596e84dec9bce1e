import ArgumentParser
import Foundation
import Letters
import LineProtocol
import Store
import Workflow

/// `foiflow unit ...`: the disclosure unit's own details, which letters name.
struct UnitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unit",
        abstract: "The unit's own details: the name and contact that letters give when no officer leads a request.",
        discussion: """
            Kept in the database, so every server and nightly job uses the same details; a running server sees a change within a second. Until they are set, FOIFLOW_UNIT_NAME, FOIFLOW_UNIT_EMAIL, FOIFLOW_UNIT_PHONE and FOIFLOW_UNIT_ADDRESS stand in (a first-run default). Every change is recorded (foiflow audit changes).
            """,
        subcommands: [Set.self, Show.self])

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set the unit's details; those not given are kept.",
            discussion: """
                Example:
                  foiflow unit set --name "Disclosure Unit" --email foi@example.org
                  foiflow unit set --phone "01234 567890" --address "1 High St, Anytown"
                """)

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var actor: ActorOptions
        @Option(help: "The unit's name, as letters sign off.") var name: String?
        @Option(help: "The unit's e-mail address (letters give it; mail is sent in its name).") var email: String?
        @Option(help: "The unit's telephone number.") var phone: String?
        @Option(help: "The unit's postal address, on one line.") var address: String?

        var given: UnitContact { UnitContact(name: name, email: email, phone: phone, address: address) }

        func validate() throws {
            guard name != nil || email != nil || phone != nil || address != nil else {
                throw ValidationError("nothing to set: give --name, --email, --phone or --address")
            }
            if let problem = UnitStore.problem(given) { throw ValidationError(problem) }
        }

        func run() async throws {
            let details = try await actor.changing(database, for: .configure) { pool, by in
                return try await UnitStore(pool: pool).set(given, by: by)
            }
            print(OutputFormat.table.render(record: UnitCommand.fields(details)), terminator: "")
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the unit's details as letters use them, and what is missing.",
            discussion: "Example:\n  foiflow unit show")

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: FormatOption<UnitForms>

        func run() async throws {
            let (stored, details) = try await database.makePool().using { pool in
                let store = UnitStore(pool: pool)
                let stored = try await store.stored()
                return (stored, try await store.current())
            }
            var fields = UnitCommand.fields(details)
            fields.append(Field("source", stored == nil ? "environment" : "database"))
            print(output.format.render(record: fields), terminator: "")
            if !details.gaps.isEmpty {
                FileHandle.standardError.write(Data("foiflow: \(UnitCommand.gapWarning(details))\n".utf8))
            }
        }
    }

    static func fields(_ details: UnitContact) -> [Field] {
        [
            Field("name", details.name ?? ""), Field("email", details.email ?? ""), Field("phone", details.phone ?? ""),
            Field("address", details.address ?? ""),
        ]
    }

    /// The warning printed when letters would lack the unit's name or contact.
    static func gapWarning(_ details: UnitContact) -> String {
        "the unit's details lack \(details.gaps.joined(separator: " and ")): letters for requests no officer leads are held as tasks until they are set (foiflow unit set)"
    }
}
