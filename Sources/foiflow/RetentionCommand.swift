import ArgumentParser
import Dates
import Deadlines
import Foundation
import Store
import Workflow

/// `foiflow retention`: the schedule on which closed requests lose their personal data.
struct RetentionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retention",
        abstract: "The retention schedule: how long personal data is kept, what falls due, and the run that anonymises.",
        discussion: """
            A request is anonymised with everything linked to it (its reviews and ICO cases), on the latest of their last casework plus their kind's period, once all of them are closed, no appeal window is open and no legal hold (ACT ref hold) stands. What stays: references, kinds, dates, states, actions and the staff who took them, outcomes, grounds; statistics are unchanged. The defaults are CASEWORK-RULES 5.2's (FOI and EIR 3 years, ICO cases and complaints 6, SAR 2, a review with its request): replace them with the authority's own schedule.
            """,
        subcommands: [Rules.self, SetRule.self, Due.self, Run.self])

    struct Rules: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the period kept for each kind.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: FormatOption<TableForms>

        func run() async throws {
            let rules = try await database.makePool().using { try await RetentionStore(pool: $0).rules() }
            print(output.format.render(rows: rules.map(\.fields), columns: RetentionRule.columns), terminator: "")
        }
    }

    struct SetRule: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set",
            abstract: "Set how long a kind's personal data is kept after it closes (admin; recorded).",
            discussion: """
                Example:
                  foiflow retention set sar --years 2 --as admin
                  foiflow retention set review --with-parent --as admin
                """)
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var actor: ActorOptions
        @Argument(help: ArgumentHelp("The kind: \(RequestKind.names).", valueName: "kind")) var kind: RequestKind
        @Option(help: "Years kept after the last casework (0 to 100).") var years: Int?
        @Option(help: "And months (0 to 11).") var months: Int = 0
        @Flag(help: "Kept as long as the request it is about (reviews and ICO cases).") var withParent = false

        func validate() throws {
            guard (years == nil) == withParent else { throw ValidationError("give --years N, or --with-parent") }
            if let years, !(0...100).contains(years) { throw ValidationError("--years must be 0 to 100") }
            guard (0...11).contains(months) else { throw ValidationError("--months must be 0 to 11") }
        }

        func run() async throws {
            try await actor.changing(database, for: .configure) { pool, login in
                try await RetentionStore(pool: pool).set(kind: kind, years: years, months: months, by: login)
            }
            print("\(kind.rawValue): \(RetentionRule(kind: kind, years: years, months: months).periodText)")
        }
    }

    struct Due: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Requests whose anonymisation falls within a period, and those held past it with why.",
            discussion: """
                Example (a manager's review, four months ahead):
                  foiflow retention due --within 4m
                """)
        @OptionGroup var database: DatabaseOptions
        @Option(help: "How far ahead: 4m (months), 90d (days) or 1y.") var within = Period(amount: 4, unit: "m")
        @Option(name: .customLong("as-of"), help: "The date to count from, YYYY-MM-DD (default today in Europe/London).") var asOf: CivilDate?
        @OptionGroup var output: FormatOption<TableForms>

        func run() async throws {
            let date = asOf ?? LondonDate.today()
            let items = try await database.makePool().using { pool in
                try await RetentionStore(pool: pool).due(until: within.after(date), asOf: date)
            }
            print(output.format.render(rows: items.map(\.fields), columns: RetentionItem.columns), terminator: "")
        }
    }

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Anonymise every request whose date has come and that nothing holds (also part of foiflow nightly).",
            discussion: """
                One transaction: a run killed part-way leaves nothing half done. Safe to run twice or at once. --as-of after today is refused unless --dry-run.
                """)
        @OptionGroup var database: DatabaseOptions
        @Option(name: .customLong("as-of"), help: "The date to run for, YYYY-MM-DD (default today in Europe/London).") var asOf: CivilDate?
        @Flag(help: "Print what would be anonymised; change nothing.") var dryRun = false
        @OptionGroup var output: FormatOption<ReportForms>

        func validate() throws {
            let today = LondonDate.today()
            if let asOf, asOf > today, !dryRun {
                throw ValidationError("--as-of \(asOf) is after today (\(today)); only --dry-run may look ahead")
            }
        }

        func run() async throws {
            let date = asOf ?? LondonDate.today()
            let report = try await database.makePool().using { try await RetentionStore(pool: $0).run(asOf: date, dryRun: dryRun) }
            print(RetentionCommand.describe(report, format: output.format), terminator: "")
        }
    }

    /// A run's or an erasure's report: one summary line (or JSON), then each kept with why.
    static func describe(_ report: RetentionReport, format: OutputFormat) -> String {
        var record = [
            Field("as_of", report.asOf.description), .number("families", report.anonymised.count), .number("requests", report.requests),
            Field("refs", report.anonymised.joined(separator: ",")),
        ]
        if report.dryRun { record.append(Field("dry_run", "true")) }
        if !report.kept.isEmpty { record.append(.number("kept", report.kept.count)) }
        var out = format.render(record: record)
        if format == .text { out += report.kept.map { "kept \($0.ref): \($0.held ?? "")\n" }.joined() }
        return out
    }
}

/// A period ahead: `4m`, `90d`, `1y`.
struct Period: ExpressibleByArgument, Sendable {
    var amount: Int
    var unit: Character

    init(amount: Int, unit: Character) {
        self.amount = amount
        self.unit = unit
    }

    var defaultValueDescription: String { "\(amount)\(unit)" }

    init?(argument: String) {
        let text = argument.lowercased()
        guard let unit = text.last, "dmy".contains(unit), let amount = Int(text.dropLast()), (0...1200).contains(amount) else { return nil }
        self.amount = amount
        self.unit = unit
    }

    func after(_ date: CivilDate) -> CivilDate {
        switch unit {
        case "d": date.adding(days: amount)
        case "y": date.adding(months: amount * 12)
        default: date.adding(months: amount)
        }
    }
}

/// `foiflow erase`: UK GDPR Article 17, a person's personal data removed now.
struct EraseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "erase",
        abstract: "Anonymise now every closed, unheld request of a person (Article 17), and say which were kept and why.",
        discussion: """
            The person is named by e-mail (matched without regard to case) or by one request's reference. A request is kept while it or anything linked to it is open, inside an appeal window, or under a legal hold; each kept one is printed with why, and the command exits 1 when any was kept. Recorded as anonymised events (basis=erasure), without the personal data. Admins only.

            Example:
              foiflow erase --email jo@example.org --reason "Article 17" --dry-run
            """)
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var actor: ActorOptions
    @Option(help: "The person's e-mail address.") var email: String?
    @Option(help: "One request's reference.") var ref: String?
    @Option(help: "Why (for the operator's record; not stored with the request).") var reason: String
    @Flag(help: "Print what would be anonymised and kept; change nothing.") var dryRun = false
    @OptionGroup var output: FormatOption<ReportForms>

    func validate() throws {
        guard (email == nil) != (ref == nil) else { throw ValidationError("give --email ADDR or --ref REF") }
        guard !reason.allSatisfy(\.isWhitespace) else { throw ValidationError("--reason must say why") }
    }

    func run() async throws {
        let report = try await actor.changing(database, for: .configure) { pool, _ in
            return try await RetentionStore(pool: pool).erase(email: email, ref: ref, asOf: LondonDate.today(), dryRun: dryRun)
        }
        print(RetentionCommand.describe(report, format: output.format), terminator: "")
        if !report.kept.isEmpty { throw ExitCode(1) }
    }
}
