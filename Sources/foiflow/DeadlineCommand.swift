import ArgumentParser
import Dates
import Deadlines
import Foundation
import Store
import Workflow

/// `foiflow deadline KIND --received DATE`: due date and latest extended date.
struct DeadlineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deadline",
        abstract: "Print the due date of a new request and the latest date an extension allows.",
        discussion: """
            Uses the holiday calendar in the database (with any admin changes). Kinds: \(RequestKind.names). Calendars: \(CalendarID.names) (default: the kind's own).

            Example:
              foiflow deadline foi --received 2026-11-20
              due=2026-12-21 max_due=2027-01-22
            """)

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var authority: AuthorityOptions
    @Argument(help: "The kind of request.") var kind: RequestKind
    @Option(help: "Date the request was received, YYYY-MM-DD (1990 to 2100).") var received: CivilDate
    @Option(help: "Calendar to count on instead of the kind's default.") var calendar: CalendarID?
    @OptionGroup var output: FormatOption<ReportForms>

    func run() async throws {
        let calendars = try await database.makePool().using { try await HolidayStore(pool: $0).loadCalendars().calendars }
        let deadline: Deadline
        do {
            deadline = try DeadlineCalculator(calendars: calendars, authority: authority.authority).deadline(
                kind: kind, start: received, calendar: calendar)
        } catch {
            throw CLIError("received=\(received): \(error.described(countingFrom: received))", code: .badArgument)
        }
        print(output.format.render(record: [Field("due", deadline.due.description), Field("max_due", deadline.maxDue.description)]), terminator: "")
    }
}
