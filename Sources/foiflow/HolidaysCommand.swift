import ArgumentParser
import Dates
import Deadlines
import Formats
import Foundation
import Store

/// `foiflow holidays ...`: the bank-holiday calendar.
struct HolidaysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "holidays",
        abstract: "List and change the bank-holiday calendar.",
        discussion: """
            The table holds 1990 to 2100, seeded from the statutory rules. Changes are audited and running servers pick them up within a second.
            """,
        subcommands: [List.self, Add.self, Remove.self, Import.self, Rules.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List holidays from the database.",
            discussion: "Example:\n  foiflow holidays list --year 2026 --division scotland --format csv")

        @OptionGroup var database: DatabaseOptions
        @Option(help: "Only this year.") var year: Int?
        @Option(help: "england-and-wales, scotland or northern-ireland.") var division: Division?
        @OptionGroup var output: FormatOption<TableForms>

        func run() async throws {
            let holidays = try await database.makePool().using { try await HolidayStore(pool: $0).list(year: year, division: division) }
            let rows = holidays.map {
                [$0.holiday.date.description, $0.holiday.division.rawValue, $0.holiday.title, $0.holiday.isSubstitute ? "yes" : "no", $0.source]
            }
            print(output.format.render(header: ["date", "division", "title", "substitute", "source"], rows: rows), terminator: "")
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a holiday (e.g. a newly proclaimed one-off day).",
            discussion: """
                Example:
                  foiflow holidays add 2027-06-07 --division scotland --title "Extra holiday"
                """)

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var actor: ActorOptions
        @Argument(help: "The date, YYYY-MM-DD (1990 to 2100).") var date: CivilDate
        @Option(help: "england-and-wales, scotland or northern-ireland.") var division: Division
        @Option(help: "What the day is called.") var title: String
        @Flag(help: "Mark it as a substitute day.") var substitute = false

        func validate() throws {
            guard !title.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("--title must not be empty") }
        }

        func run() async throws {
            let holiday = Holiday(date: date, division: division, title: title, isSubstitute: substitute)
            let moved = try await actor.changing(database, for: .manageHolidays) { pool, by in
                try await HolidayStore(pool: pool).add(holiday, actor: by)
            }
            print("added \(date) \(division.rawValue) \(title.debugDescription)")
            HolidaysCommand.printMoved(moved)
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove a holiday.",
            discussion: "Example:\n  foiflow holidays remove 2027-06-07 --division england-and-wales")

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var actor: ActorOptions
        @Argument(help: "The date, YYYY-MM-DD.") var date: CivilDate
        @Option(help: "england-and-wales, scotland or northern-ireland.") var division: Division

        func run() async throws {
            let removed = try await actor.changing(database, for: .manageHolidays) { pool, by in
                try await HolidayStore(pool: pool).remove(
                    date: date, division: division, actor: by)
            }
            print("removed \(date) \(division.rawValue) \(removed.holiday.holiday.title.debugDescription)")
            HolidaysCommand.printMoved(removed.moved)
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load GOV.UK's bank-holidays.json: adds the days not yet listed; idempotent, never removes.",
            discussion: """
                The file has GOV.UK's format (https://www.gov.uk/bank-holidays.json); data/uk-bank-holidays.json in the source tree is a copy. A malformed file is refused, naming the field, and nothing is written.

                Example:
                  foiflow holidays import data/uk-bank-holidays.json
                """)

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var actor: ActorOptions
        @Argument(help: "Path to the JSON file.") var file: String
        @OptionGroup var output: FormatOption<ReportForms>

        func run() async throws {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw CLIError("cannot read \(file)", code: .internal)
            }
            let holidays: [Holiday]
            do {
                holidays = try GovUKHolidayFile.parse(data)
            } catch {
                throw CLIError("\(file): \(error)", code: .badArgument)
            }
            let name = URL(fileURLWithPath: file).lastPathComponent
            let report = try await actor.changing(database, for: .manageHolidays) { pool, by in
                try await HolidayStore(pool: pool).importHolidays(
                    holidays, actor: by, sourceName: name)
            }
            switch output.format {
            case .text, .table, .csv:
                for holiday in report.added { print("added \(holiday.date) \(holiday.division.rawValue) \(holiday.title.debugDescription)") }
                print("import: \(report.added.count) added, \(report.alreadyPresent) already present")
                HolidaysCommand.printMoved(report.moved)
            case .json:
                func list(_ holidays: [Holiday]) -> [[String: String]] {
                    holidays.map { ["date": $0.date.description, "division": $0.division.rawValue, "title": $0.title] }
                }
                let object: [String: Any] = ["added": list(report.added), "already_present": report.alreadyPresent, "moved": report.moved]
                let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
                print(String(decoding: data, as: UTF8.self))
            }
        }
    }

    struct Rules: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the holidays the statutory rules give (no database needed).",
            discussion: """
                The sql format is how sql/0003_holidays_seed.sql was made.

                Example:
                  foiflow holidays rules --from 2027 --to 2027 --format csv
                """)

        @Option(help: "First year.") var from: Int
        @Option(help: "Last year.") var to: Int
        @Option(help: "table, csv, json or sql.") var format: RulesFormat = .table

        func validate() throws {
            guard HolidayStore.storedYears.contains(from), HolidayStore.storedYears.contains(to), from <= to else {
                throw ValidationError("--from and --to must be years from 1990 to 2100, in order")
            }
        }

        func run() throws {
            let holidays = HolidayRules.holidays(years: from...to)
            switch format {
            case .sql:
                print("-- Generated by `foiflow holidays rules --from \(from) --to \(to) --format sql`: the statutory rules.")
                print("-- Do not edit; regenerate into a new migration if the rules change.")
                print("INSERT INTO holidays (division, date, title, substitute, source) VALUES")
                let lines = holidays.map { h in
                    "('\(h.division.rawValue)', '\(h.date)', '\(h.title.replacingOccurrences(of: "'", with: "''"))', \(h.isSubstitute), 'rules')"
                }
                print(lines.joined(separator: ",\n") + ";")
            case .table, .csv, .json:
                let output = OutputFormat(rawValue: format.rawValue) ?? .table
                let rows = holidays.map { [$0.date.description, $0.division.rawValue, $0.title, $0.isSubstitute ? "yes" : "no"] }
                print(output.render(header: ["date", "division", "title", "substitute"], rows: rows), terminator: "")
            }
        }
    }

    /// Prints which open requests' due dates the change moved.
    static func printMoved(_ refs: [String]) {
        guard !refs.isEmpty else { return }
        print(
            "due dates moved: \(refs.count) open request\(refs.count == 1 ? "" : "s") (\(refs.prefix(20).joined(separator: ", "))\(refs.count > 20 ? ", ..." : ""))"
        )
    }

    enum RulesFormat: String, ExpressibleByArgument, CaseIterable { case table, csv, json, sql }
}
