import ArgumentParser
import Foundation
import Store
import Workflow

/// `foiflow explain REF`: why a request is due when it is, day by day.
struct ExplainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Explain a request's due date day by day: which days counted, which did not and why.",
        discussion: """
            One row per calendar day from receipt to the due date: count (working days so far, 0 on receipt or restart), skip (a weekend, a holiday's title, or the clock stopped) and note (what happened that day). A request whose clock is stopped is explained up to today, with no due date. The table ends with the due date, the rule and the calendar; json carries them beside the days.

            Example:
              foiflow explain FOI-2026-000001 --format csv
            """)

    @OptionGroup var request: OneRequestOptions
    @OptionGroup var output: FormatOption<ExplainForms>

    func run() async throws {
        let view = try await request.read { pool, scope in
            try await pool.requestStore.explain(ref: request.ref, today: LondonDate.today(), scope: scope)
        }
        let columns = ["date", "count", "skip", "note"]
        switch output.format {
        case .json:
            var object: [String: Any] = Dictionary(uniqueKeysWithValues: view.summaryFields.map { ($0.key, $0.value as Any) })
            object["days"] = view.dayFields.map { day in
                Dictionary(
                    uniqueKeysWithValues: day.map { field -> (String, Any) in
                        (field.key, field.isNumber ? (Int(field.value) ?? 0) as Any : field.value)
                    })
            }
            print(OutputFormat.json(object, pretty: true), terminator: "")
        case .csv, .text:
            print(output.format.render(rows: view.dayFields, columns: columns), terminator: "")
        case .table:
            print(output.format.render(rows: view.dayFields, columns: columns), terminator: "")
            let summary = Dictionary(uniqueKeysWithValues: view.summaryFields.map { ($0.key, $0.value) })
            print("\n\(view.ref): due \(summary["due"] ?? "none") on the \(summary["calendar"] ?? "") calendar; \(summary["rule"] ?? "")")
        }
    }
}
