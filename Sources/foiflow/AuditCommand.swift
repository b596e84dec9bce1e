import ArgumentParser
import Foundation
import Store

/// `foiflow audit`: the history anyone can verify.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Verify the history, or record a digest of it that the authority can publish.",
        discussion: """
            Every event carries a digest chaining it to the one before it on its request, over
            its own content (never personal data, so anonymisation leaves chains whole). A
            recorded digest covers every request's latest event; foiflow nightly records one and
            prints it.
            """,
        subcommands: [Verify.self, Digest.self])

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recompute every request's chain (or one) and every recorded digest; exit 1 naming what does not match.",
            discussion: """
                Finds an event changed, removed or moved (also by a superuser with the trigger
                disabled), events missing at the end of a request, and a whole request removed
                (a recorded digest no longer reproduced).

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

    struct Digest: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a digest over every request's chain head, and record it.",
            discussion: """
                It covers events written up to --settle seconds before (default 300), so a
                transaction still running cannot add one it should have covered.

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
