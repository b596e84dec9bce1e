import ArgumentParser
import Dates
import Deadlines
import Foundation
import Statistics
import Store
import Workflow

/// `foiflow stats`: the STATS figures for a period, for managers and for publication.
struct StatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Statistics for requests received in a period, as they stood on a date; html publishes them as a page.",
        discussion: """
            Requests received from --from to --to (both included; FOI and EIR together unless --kind is given), as they stood on --as-of (default today): received, open, open past due, processed (answered, or a clarification asked: advice and assistance), within the statutory deadline, within a lawfully taken extension, late, outcomes, withdrawn, lapsed, transferred, the in-time percentage (Cabinet Office: in time / processed) and the due-cohort percentage (in time / (processed + open past due)); each ground used (one per request and ground; s.21-only apart); internal reviews and ICO cases received in the period; and the backlog of open requests by time past due on --as-of.

            --by month gives one row per month of receipt instead. --format html writes one self-contained page to publish as it is (no script, no external asset, no names, subjects or contact details): the return, a chart of the in-time percentage by month with the ICO's 90% line, the backlog, reviews and ICO cases.

            Examples:
              foiflow stats --from 2026-01-01 --to 2026-03-31 --as-of 2026-04-30
              foiflow stats --from 2026-01-01 --to 2026-12-31 --by month --format csv
              foiflow stats --from 2026-01-01 --to 2026-12-31 --format html > stats.html
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, csv, json, html
    }

    enum Grouping: String, ExpressibleByArgument {
        case month
    }

    @OptionGroup var database: DatabaseOptions
    @Option(help: ArgumentHelp("First day of receipt (YYYY-MM-DD).", valueName: "date")) var from: String
    @Option(help: ArgumentHelp("Last day of receipt (YYYY-MM-DD).", valueName: "date")) var to: String
    @Option(help: ArgumentHelp("The day the figures stand on (default today).", valueName: "date")) var asOf: String?
    @Option(help: "Only this kind (default: foi and eir together).") var kind: String?
    @Option(help: "month: one row per month of receipt.") var by: Grouping?
    @Option(help: "The page's title (default: the unit's name, foiflow unit set --name; else \"Information requests\").") var title: String?
    @Option(help: "table, csv, json or html.") var format: Format = .table

    /// The period asked for, checked (bad dates and kinds are usage errors).
    func period() throws -> StatsPeriod {
        do {
            return try StatsPeriod(from: from, to: to, asOf: asOf, kind: kind, today: LondonDate.today())
        } catch {
            throw ValidationError(error.description)
        }
    }

    func validate() throws {
        _ = try period()
    }

    func run() async throws {
        let period = try period()
        let report = try await database.makePool().using { pool in
            try await StatsStore(pool: pool).report(from: period.from, to: period.to, asOf: period.asOf, kinds: period.kinds)
        }
        if format == .html {
            let unit = try await database.makePool().using { try await UnitStore(pool: $0).current().name }
            print(try StatsPage.html(report, title: title ?? unit ?? "Information requests"), terminator: "")
            return
        }
        let output = OutputFormat(rawValue: format.rawValue) ?? .table
        if by == .month {
            let columns = ["month", "received", "processed", "in_time", "late", "open_overdue", "in_time_percent"]
            print(output.render(rows: report.months.map { $0.figures.fields }, columns: columns), terminator: "")
            return
        }
        if output == .json {
            print(OutputFormat.json(Self.object(report), pretty: true), terminator: "")
            return
        }
        print(output.render(rows: Self.rows(report), columns: ["table", "name", "value"]), terminator: "")
    }

    /// Every figure as `table name value`: the return, exemptions, reviews, ICO cases, backlog.
    static func rows(_ report: StatsReport) -> [[Field]] {
        func row(_ table: String, _ name: String, _ value: String) -> [Field] {
            [Field("table", table), Field("name", name), Field("value", value)]
        }
        var rows = report.figures.stats.map { row("return", $0.name, $0.value.text) }
        rows += report.figures.exemptions.map { row("exemption", $0.code, String($0.count)) }
        rows += report.reviews.stats.map { row("reviews", $0.name, $0.value.text) }
        rows += report.ico.stats.map { row("ico", $0.name, $0.value.text) }
        for backlog in report.backlog where backlog.open > 0 {
            rows.append(row("backlog", "\(backlog.kind.rawValue) open", String(backlog.open)))
            for (name, count) in zip(BacklogFigures.bandNames, backlog.bands) {
                rows.append(row("backlog", "\(backlog.kind.rawValue) \(name)", String(count)))
            }
        }
        return rows
    }

    /// The report as one JSON object (counts as numbers, percentages and labels as strings),
    /// each value written as its type says.
    static func object(_ report: StatsReport) -> [String: Any] {
        func numbers(_ figures: [Figure]) -> [String: Any] {
            Dictionary(
                uniqueKeysWithValues: figures.map { figure -> (String, Any) in
                    switch figure.value {
                    case .count(let n): (figure.name, n)
                    case .percent(let text), .label(let text): (figure.name, text)
                    }
                })
        }
        return [
            "from": report.from.description, "to": report.to.description, "as_of": report.asOf.description,
            "kinds": report.kinds.map(\.rawValue), "stats": numbers(report.figures.stats),
            "exemptions": Dictionary(uniqueKeysWithValues: report.figures.exemptions.map { ($0.code, $0.count) }),
            "months": report.months.map { numbers($0.figures) },
            "reviews": numbers(report.reviews.stats), "ico": numbers(report.ico.stats),
            "backlog": report.backlog.map { numbers($0.figures) },
        ]
    }
}
