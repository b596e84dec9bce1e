import ArgumentParser
import Dates
import Deadlines
import Foundation
import Store
import Workflow

#if canImport(Glibc)
import Glibc
#endif

/// `foiflow risk`: what will breach, most urgent first.
struct RiskCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "risk",
        abstract: "The breach-risk list: open requests overdue or due within N working days, most urgent first.",
        discussion: """
            days_left counts working days from the reference date (--as-of, default today in Europe/London) to the due date: 0 is due that day, negative is overdue. Overdue rows are marked OVERDUE (in red on a terminal); csv and json carry the same rows.

            Example:
              foiflow risk --within 5 --team north --format csv
            """)

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var reader: ReaderOptions
    @Option(help: "Working days ahead to include.") var within: Int = 5
    @Option(name: .customLong("as-of"), help: "Reference date, YYYY-MM-DD (default today).") var asOf: CivilDate?
    @Option(help: "Only of this team.") var team: String?
    @Option(help: "Only assigned to this login.") var assignee: String?
    @Option(help: "Only of this kind.") var kind: RequestKind?
    @Option(help: "At most this many (1 to 1000).") var limit: Int = 1000
    @OptionGroup var output: FormatOption<TableForms>

    func validate() throws {
        guard (0...10_000).contains(within) else { throw ValidationError("--within must be 0 to 10000") }
        guard (1...1000).contains(limit) else { throw ValidationError("--limit must be 1 to 1000") }
    }

    func run() async throws {
        let date = asOf ?? LondonDate.today()
        let views = try await database.makePool().using { pool in
            try await pool.requestStore.risk(
                within: within, asOf: date, kind: kind, assignee: assignee, team: team, limit: limit, scope: try await reader.scope(pool))
        }
        let columns = RequestView.listColumns + ["tasks"]
        let rows = views.map(\.fields)
        switch output.format {
        case .csv, .json, .text:
            print(output.format.render(rows: rows, columns: columns), terminator: "")
        case .table:
            let marked = zip(rows, views).map { row, view in
                row + [Field("", (view.daysLeft ?? 0) < 0 ? "OVERDUE" : ((view.daysLeft ?? 1) == 0 ? "due today" : ""))]
            }
            let lines = output.format.render(rows: marked, columns: columns + [""]).split(separator: "\n", omittingEmptySubsequences: false)
            let colour = isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
            for (index, line) in lines.enumerated() where !(index == lines.count - 1 && line.isEmpty) {
                let overdue = index > 0 && index <= views.count && (views[index - 1].daysLeft ?? 0) < 0
                print(colour && overdue ? "\u{1B}[31m\(line)\u{1B}[0m" : String(line))
            }
            if views.isEmpty { FileHandle.standardError.write(Data("nothing overdue or due within \(within) working days of \(date)\n".utf8)) }
        }
    }
}
