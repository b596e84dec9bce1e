import ArgumentParser
import Dates
import Foundation
import Store
import Workflow

/// `foiflow audit`: the history anyone can verify.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Verify the history, or record a digest of it that the authority can publish.",
        discussion: """
            Every event carries a digest chaining it to the one before it on its request, over its own content (never personal data, so anonymisation leaves chains whole). A recorded digest covers every request's latest event; foiflow nightly records one and prints it.
            """,
        subcommands: [Verify.self, Digest.self, Changes.self])

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recompute every request's chain (or one) and every recorded digest; exit 1 naming what does not match.",
            discussion: """
                Finds an event changed, removed or moved (also by a superuser with the trigger disabled), events missing at the end of a request, and a whole request removed (a recorded digest no longer reproduced).

                Example:
                  foiflow audit verify
                  foiflow audit verify FOI-2026-000001
                """)
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "One request's reference (default: every request and every recorded digest).") var ref: String?

        func run() async throws {
            let report = try await database.makePool().using { try await AuditStore(pool: $0).verify(ref: ref) }
            for problem in report.problems { print(problem.line) }
            let summary = "verified \(report.requests) requests, \(report.events) events, \(report.digests) recorded digests"
            guard report.problems.isEmpty else {
                print("\(summary): \(report.problems.count) problems")
                throw ExitCode(1)
            }
            print("\(summary): all match")
        }
    }

    struct Changes: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the changes made to users, policy, published commitments and the unit's details: when, who, what.",
            discussion: """
                Who is the login the change was made as (--as, $FOIFLOW_USER), else os: and the operating-system user. Staff's names, e-mail addresses and telephone numbers are named as changed, never listed.

                Example:
                  foiflow audit changes --since 2026-12-01
                """)
        @OptionGroup var database: DatabaseOptions
        @Option(help: ArgumentHelp("Only changes on or after this day (London time).", valueName: "date")) var since: CivilDate?
        @OptionGroup var output: FormatOption<TableForms>

        func run() async throws {
            let entries = try await database.makePool().using { try await ChangeLogStore(pool: $0).entries(since: since) }
            let rows = entries.map { entry in
                [
                    Field("at", entry.at), Field("actor", entry.actor), Field("subject", entry.subject), Field("target", entry.target),
                    Field("change", entry.change),
                ]
            }
            print(output.format.render(rows: rows, columns: ["at", "actor", "subject", "target", "change"]), terminator: "")
        }
    }

    struct Digest: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a digest over every request's chain head, and record it.",
            discussion: """
                It covers events written up to --settle seconds before (default 300), so a transaction still running cannot add one it should have covered.

                Example:
                  foiflow audit digest
                """)
        @OptionGroup var database: DatabaseOptions
        @Option(help: "Seconds before now that the digest covers (0 to 86400).") var settle: Int = 300

        func validate() throws {
            guard (0...86_400).contains(settle) else { throw ValidationError("--settle must be 0 to 86400") }
        }

        func run() async throws {
            let digest = try await database.makePool().using { try await AuditStore(pool: $0).record(settle: .seconds(settle)) }
            print(digest.line)
        }
    }
}
