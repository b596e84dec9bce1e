import ArgumentParser
import Foundation
import Store
import Workflow

/// `foiflow policy`: the authority's sign-off policy, kept in the database.
struct PolicyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract:
            "Show or set the sign-off policy, the s.12 cost limit and the disclosure log's delay (stored in the database, so the server and the CLI agree).",
        subcommands: [RequireApproval.self, CostLimitCommand.self, PublishAfter.self, Show.self])

    /// `partial,refused,ncnd` in the outcomes' order, or `none`.
    static func describe(_ outcomes: Set<Outcome>) -> String {
        outcomes.isEmpty ? "none" : Outcome.allCases.filter(outcomes.contains).map(\.rawValue).joined(separator: ",")
    }

    struct RequireApproval: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "require-approval",
            abstract: "Responses with these outcomes need a manager's approve since the request's last change.",
            discussion: """
                OUTCOMES is a comma list of \(Outcome.names), or none. With a policy in force, an officer submits the draft (ACT submit), a manager approves it (ACT approve), and the response must follow before anything else changes the request; otherwise respond is refused (INVALID_TRANSITION, exit 7).

                Example:
                  foiflow policy require-approval refused,partial,ncnd --as admin
                """)

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var actor: ActorOptions
        @Argument(help: "Outcomes, comma-separated, or none.") var outcomes: String

        func validate() throws {
            guard outcomes.lowercased() != "none" else { return }
            for name in outcomes.split(separator: ",") where Outcome(rawValue: name.trimmingCharacters(in: .whitespaces).lowercased()) == nil {
                throw ValidationError("'\(name)' is not an outcome; outcomes: \(Outcome.names), or none")
            }
        }

        func run() async throws {
            let chosen = outcomes.lowercased() == "none" ? [] : PolicyStore.outcomes(outcomes)
            try await actor.changing(database, for: .configure) { pool, login in
                try await PolicyStore(pool: pool).setRequireApproval(chosen, by: login)
            }
            print("require-approval: \(PolicyCommand.describe(chosen))")
        }
    }

    struct CostLimitCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "cost-limit",
            abstract: "The appropriate limit for FOIA s.12 in pounds (admin; default \(CostLimit.defaultLimit)).",
            discussion: """
                £\(CostLimit.defaultLimit) for police forces and every authority outside Schedule 1 Part I of the 2004 Regulations, £600 for those in it (reg 3). Staff time counts at £\(CostLimit.poundsPerHour) an hour (reg 4(4)).

                Example:
                  foiflow policy cost-limit 450 --as admin
                """)

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var actor: ActorOptions
        @Argument(help: "The limit in whole pounds.") var amount: Int

        func validate() throws {
            guard (1...100_000).contains(amount) else { throw ValidationError("the limit must be whole pounds from 1 to 100000") }
        }

        func run() async throws {
            try await actor.changing(database, for: .configure) { pool, login in
                try await PolicyStore(pool: pool).setCostLimit(amount, by: login)
            }
            print("cost-limit: \(amount)")
        }
    }

    struct PublishAfter: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "publish-after",
            abstract: "Working days after a response before the disclosure log shows it (default 0).",
            discussion: """
                A response is published when it is answered with publish=yes and publish_title=...; the delay applies to responses given after the change.

                Example:
                  foiflow policy publish-after 20 --as admin
                """)

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var actor: ActorOptions
        @Argument(help: "Working days, 0 to 250.") var days: Int

        func validate() throws {
            guard (0...250).contains(days) else { throw ValidationError("publish-after must be 0 to 250 working days") }
        }

        func run() async throws {
            try await actor.changing(database, for: .configure) { pool, login in
                try await PolicyStore(pool: pool).setPublishAfter(days, by: login)
            }
            print("publish-after: \(days)")
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Print the policy in force.")

        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let (outcomes, limit, delay) = try await database.makePool().using { pool in
                (
                    try await PolicyStore(pool: pool).requireApproval(), try await PolicyStore(pool: pool).costLimit(),
                    try await PolicyStore(pool: pool).publishAfter()
                )
            }
            print("require-approval: \(PolicyCommand.describe(outcomes))")
            print("cost-limit: \(limit)")
            print("publish-after: \(delay)")
        }
    }
}
