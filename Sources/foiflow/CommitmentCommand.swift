import ArgumentParser
import Deadlines
import Foundation
import Store
import Workflow

/// `foiflow commitment ...`: published service commitments beside the statute.
struct CommitmentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "commitment",
        abstract: "Set, list and clear the published service commitments (per kind).",
        discussion: """
            A commitment is a promise the authority publishes beside the law, e.g. "we will respond to any appropriate request for personal information within 40 calendar days". SHOW then carries commitment_due. The statutory due date still governs the breach-risk list and escalation; a commitment later than the statute in the ordinary case is kept, with a warning on stderr.
            """,
        subcommands: [Set.self, List.self, Clear.self])

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set a kind's commitment (replacing any).",
            discussion: """
                Example:
                  foiflow commitment set complaint --working-days 10 --text "10 working days"
                  foiflow commitment set sar --calendar-days 40 --text "Within 40 days"
                """)

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var actor: ActorOptions
        @Argument(help: "The kind of request.") var kind: RequestKind
        @Option(help: "The Nth working day after receipt.") var workingDays: Int?
        @Option(help: "Receipt plus N calendar days.") var calendarDays: Int?
        @Option(help: "N calendar months after receipt, moved to a working day.") var months: Int?
        @Option(help: "The words the authority published.") var text: String

        func validate() throws {
            let given = [workingDays, calendarDays, months].compactMap { $0 }
            guard given.count == 1 else { throw ValidationError("give exactly one of --working-days, --calendar-days, --months") }
            guard (1...1000).contains(given[0]) else { throw ValidationError("the length must be 1 to 1000") }
            guard !text.allSatisfy(\.isWhitespace) else { throw ValidationError("--text must not be empty") }
        }

        func run() async throws {
            let commitment: Commitment
            if let workingDays {
                commitment = Commitment(unit: .workingDays, amount: workingDays, text: text)
            } else if let calendarDays {
                commitment = Commitment(unit: .calendarDays, amount: calendarDays, text: text)
            } else {
                commitment = Commitment(unit: .months, amount: months ?? 1, text: text)
            }
            let authority = Authority.fromEnvironment
            let later = try await actor.changing(database, for: .configure) { pool, login in
                try await CommitmentStore(pool: pool).set(commitment, for: kind, by: login)
                let calendars = try await HolidayStore(pool: pool).loadCalendars().calendars
                return try commitment.daysLaterThanStatute(
                    kind: kind, calendar: calendars[authority.defaultCalendar(for: kind)], year: LondonDate.today().year)
            }
            print("\(kind.rawValue): \(commitment.amount) \(commitment.unit.rawValue): \(commitment.text)")
            if later.later * 2 > later.days {
                FileHandle.standardError.write(
                    Data(
                        """
                        foiflow: warning: this commitment falls later than the statutory due date on \(later.later) of \(later.days) \
                        receipt days this year; the statutory date still governs risk and escalation

                        """.utf8))
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the commitments.")

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: FormatOption<TableForms>

        func run() async throws {
            let all = try await database.makePool().using { try await CommitmentStore(pool: $0).list() }
            let rows = all.map { item in
                [
                    Field("kind", item.kind.rawValue), Field("unit", item.commitment.unit.rawValue), Field("amount", String(item.commitment.amount)),
                    Field("text", item.commitment.text),
                ]
            }
            print(output.format.render(rows: rows, columns: ["kind", "unit", "amount", "text"]), terminator: "")
        }
    }

    struct Clear: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a kind's commitment.")

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var actor: ActorOptions
        @Argument(help: "The kind.") var kind: RequestKind

        func run() async throws {
            try await actor.changing(database, for: .configure) { pool, login in
                try await CommitmentStore(pool: pool).clear(kind, by: login)
            }
            print("cleared \(kind.rawValue)")
        }
    }
}
