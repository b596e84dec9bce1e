import ArgumentParser
import Store
import Workflow

/// Who asked what before: a requester's other requests (for a stated reason, recorded), and
/// the corrections when matching got it wrong.
struct RequesterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "requester",
        abstract: "A requester's other requests (managers and admins, for a reason that is recorded), and merging or splitting requesters.",
        discussion: """
            Requests by the same person are one requester: matched on the e-mail without regard to case, else on the name and postal address together. FOI is applicant-blind: who asked decides nothing about disclosure, so a requester's history is shown only to managers and admins, only with --reason, and every look is an event on the request.

            Examples:
              foiflow requester FOI-2026-000124 --reason "s.12 aggregation" --as bkhan
              foiflow requester merge FOI-2026-000124 FOI-2026-000201 --as admin
              foiflow requester split FOI-2026-000201 --as admin
            """,
        subcommands: [History.self, Merge.self, Split.self], defaultSubcommand: History.self)

    struct History: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "history",
            abstract: "List the other requests of a request's requester; the look is recorded on the request with its reason.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var actor: ActorOptions
        @Argument(help: "The request's reference, e.g. FOI-2026-000124.") var ref: String
        @Option(help: "Why you need to see them (recorded with the look).") var reason: String
        @OptionGroup var output: FormatOption<TableForms>

        func validate() throws {
            guard !reason.allSatisfy(\.isWhitespace) else { throw ValidationError("--reason must say why") }
        }

        func run() async throws {
            let others = try await database.makePool().using { pool in
                let actor = try await actor.requireUser(pool)
                return try await pool.requestStore.requesterHistory(ref: ref, reason: reason, by: actor, today: LondonDate.today())
            }
            print(output.format.render(rows: others.map(\.fields), columns: RequesterRequest.columns), terminator: "")
        }
    }

    struct Merge: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make the requesters of two requests one (the same person with a new e-mail or address; admin).")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var actor: ActorOptions
        @Argument(help: "A request of the requester kept.") var ref: String
        @Argument(help: "A request of the requester merged into it.") var other: String

        func run() async throws {
            let count = try await actor.changing(database, for: .configure) { pool, _ in
                return try await pool.requestStore.mergeRequesters(ref, with: other)
            }
            print("merged: the requester of \(ref) now has \(count) requests")
        }
    }

    struct Split: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Take a request away from its requester (two people matched as one, e.g. a shared e-mail; admin).")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var actor: ActorOptions
        @Argument(help: "The request to stand on its own.") var ref: String

        func run() async throws {
            try await actor.changing(database, for: .configure) { pool, _ in
                try await pool.requestStore.splitRequester(ref)
            }
            print("split: \(ref) is now a requester of its own")
        }
    }
}
