import ArgumentParser
import Dates
import Foundation
import Store
import Workflow

/// `foiflow cost REF`: the protocol's COST from the command line.
struct CostCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cost",
        abstract: "A FOI request's s.12 estimate, with the requests aggregated with it, against the cost limit.",
        discussion: """
            Estimates are added with `request act REF estimate activity=determine|locate|retrieve|extract hours=H` (only these four count, reg 4(3); £25 an hour), and requests whose costs add up with `request act REF aggregate with=REF,...` (the same requester, or linked in-concert, all received within one window of 60 consecutive working days). The summary line says whether the total exceeds the limit (`foiflow policy cost-limit`).

            Example:
              foiflow cost FOI-2026-000124 --format csv
            """)

    @OptionGroup var request: OneRequestOptions
    @OptionGroup var output: FormatOption<TableForms>

    func run() async throws {
        let report = try await request.read { pool, scope in try await pool.requestStore.cost(ref: request.ref, scope: scope) }
        print(output.format.render(rows: report.lines.map(\.fields), columns: CostLine.columns), terminator: "")
        // The total after the rows; on stderr where a second shape would break the file (csv, json).
        let summary = report.fields.map { "\($0.key)=\($0.value)" }.joined(separator: " ") + "\n"
        if output.format == .csv || output.format == .json {
            FileHandle.standardError.write(Data(summary.utf8))
        } else {
            print(summary, terminator: "")
        }
    }
}
