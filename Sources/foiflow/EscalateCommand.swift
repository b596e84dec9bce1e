import ArgumentParser
import Dates
import Foundation
import Store
import Workflow

/// `foiflow escalate`: the nightly escalation and lapsing.
struct EscalateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "escalate",
        abstract: "Escalate requests close to or past their due date, and lapse those that waited too long.",
        discussion: """
            Levels: warning (0 to 3 working days left, to the assignee), overdue (past due, to the team's manager), very-overdue (20 or more working days past due, to the head of unit). Each request reaches each level once per due date. Each escalation is an escalate event and a notification in the outbox (sent by `foiflow notify`), written together. FOIs waiting three months for a fee (FOIA s.9(2)) and requests waiting too long for clarification lapse. Every open request whose requester has heard nothing for a calendar month gets its monthly progress update (an e-mail queued for notify, or a task for the lead officer), once per month. Safe to run twice, or on two hosts at once: a second run waits for the lock (--wait, default 60 s), then runs (finding little or nothing left to do) and exits 0; if the lock is still held after --wait it exits 75 with a line on stderr, so cron's mail shows it.

            --as-of after today (Europe/London; FOIFLOW_TODAY where a replay or test sets it) is refused unless --dry-run: a typo in the year would lapse and escalate everything.

            Example (cron, nightly):
              foiflow escalate --format json
            """,
        aliases: ["nightly"])

    @OptionGroup var database: DatabaseOptions
    @Option(name: .customLong("as-of"), help: "The night to run for, YYYY-MM-DD (default today in Europe/London).") var asOf: CivilDate?
    @Flag(help: "Print what would happen; change nothing.") var dryRun = false
    @Option(help: ArgumentHelp("Login of the head of unit (default: $FOIFLOW_HEAD_OF_UNIT, else the first admin).", valueName: "login"))
    var headOfUnit: String?
    @Option(help: "Months a request may wait for clarification before it lapses.") var clarificationMonths: Int = 3
    @OptionGroup var output: FormatOption<ReportForms>
    @OptionGroup var metrics: TextfileMetricsOptions
    @Option(help: ArgumentHelp("Seconds to wait for another run's lock before giving up (exit 75).", valueName: "seconds"))
    var wait: Int = 60

    /// The exit status when another run still holds the lock after `--wait` (EX_TEMPFAIL).
    static let lockHeld: Int32 = 75

    func validate() throws {
        guard (1...120).contains(clarificationMonths) else { throw ValidationError("--clarification-months must be 1 to 120") }
        guard (0...86_400).contains(wait) else { throw ValidationError("--wait must be 0 to 86400 seconds") }
        let today = LondonDate.today()
        if let asOf, asOf > today, !dryRun {
            throw ValidationError("--as-of \(asOf) is after today (\(today)); only --dry-run may look ahead")
        }
    }

    func run() async throws {
        let started = Date()
        let date = asOf ?? LondonDate.today()
        let head = headOfUnit ?? ProcessInfo.processInfo.environment["FOIFLOW_HEAD_OF_UNIT"].flatMap { $0.isEmpty ? nil : $0 }
        let (report, retention, digest) = try await database.makePool().using { pool in
            let report = try await EscalationStore(
                pool: pool, calendars: CalendarCache(store: HolidayStore(pool: pool)),
                configuration: .init(headOfUnit: head, clarificationMonths: clarificationMonths)
            ).run(asOf: date, dryRun: dryRun, wait: .seconds(wait))
            // Then the retention schedule: what is due and not held loses its personal data.
            let retention = report.skipped ? nil : try await RetentionStore(pool: pool).run(asOf: date, dryRun: dryRun)
            // And a digest of the whole history, recorded, for the authority to publish.
            let digest = report.skipped || dryRun ? nil : try await AuditStore(pool: pool).record()
            return (report, retention, digest)
        }
        if report.skipped {
            FileHandle.standardError.write(
                Data("foiflow: another escalation run still holds the lock after \(wait) s; nothing done (exit 75)\n".utf8))
            try? metrics.write(job: "escalate", started: started, gauges: [("skipped", [], 1)])
            throw ExitCode(EscalateCommand.lockHeld)
        }
        // Least severe first: warning, overdue, very-overdue.
        let levels = EscalationLevel.allCases.reversed()
        let counts = report.counts
        if !dryRun {
            try metrics.write(
                job: "escalate", started: started,
                gauges: levels.map { ("escalations", [("level", $0.rawValue)], Double(counts[$0] ?? 0)) } + [
                    ("lapsed", [], Double(report.lapsed)), ("progress_updates", [], Double(report.updatedRefs.count)),
                    ("skipped", [], report.skipped ? 1 : 0), ("anonymised", [], Double(retention?.requests ?? 0)),
                ])
        }
        switch output.format {
        case .text, .table, .csv:
            for item in report.escalated { print("\(dryRun ? "would " : "")escalate \(item.ref) \(item.level.rawValue)") }
            for ref in report.lapsedRefs { print("\(dryRun ? "would " : "")lapse \(ref)") }
            for ref in report.updatedRefs { print("\(dryRun ? "would " : "")send a progress update for \(ref)") }
            let summary = levels.map { "\($0.rawValue)=\(counts[$0] ?? 0)" }.joined(separator: " ")
            print("escalate \(date)\(dryRun ? " (dry run)" : ""): \(summary) lapsed=\(report.lapsed) updates=\(report.updatedRefs.count)")
            if let retention, !retention.anonymised.isEmpty {
                for ref in retention.anonymised { print("\(dryRun ? "would " : "")anonymise \(ref) and the requests linked to it") }
                print("retention \(date)\(dryRun ? " (dry run)" : ""): families=\(retention.anonymised.count) requests=\(retention.requests)")
            }
            if let digest { print("audit digest \(digest.line)") }
        case .json:
            var object: [String: Any] = [
                "as_of": date.description, "dry_run": dryRun, "skipped": report.skipped, "lapsed": report.lapsed,
                "updates": report.updatedRefs.count, "anonymised": retention?.anonymised ?? [],
                "anonymised_requests": retention?.requests ?? 0, "audit_digest": digest?.hex ?? "",
                "items": report.items.map { ["ref": $0.ref, "level": $0.level] },
            ]
            for level in levels {
                let key = level.rawValue.replacingOccurrences(of: "-", with: "_")
                object[key] = counts[level] ?? 0
                object[key + "_until"] = (report.cutoffs[level] ?? [:]).mapValues(\.description)
            }
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        }
    }
}
