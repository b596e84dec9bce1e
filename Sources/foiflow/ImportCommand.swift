import ArgumentParser
import Deadlines
import Formats
import Foundation
import Postgres
import Store
import Workflow

#if canImport(Glibc)
import Glibc
#endif

/// `foiflow import FILE.csv`: a backlog kept in a spreadsheet, brought in all at once.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import requests from a CSV file (a spreadsheet's backlog); all rows or none.",
        discussion: """
            The first row names the columns. Required: kind (\(BacklogImport.kindNames)), received, requester. Optional: subject, email, address, contact (\(ContactMethod.preferenceNames)), team, assignee (a foiflow login), legacy_ref (the spreadsheet's own reference, kept and shown on SHOW), responded_on, outcome (\(BacklogImport.outcomeNames)) and exemptions (codes as for ACT respond, e.g. "s40(2), s31").

            The file is read a piece at a time. At most --max-rows data rows (default 100000) are taken and a field may hold at most --max-field-length bytes (default 16384); past either, the import is refused. A quoted field that is never closed is an error naming the line it opens on.

            Dates are YYYY-MM-DD or DD/MM/YYYY (day first, as UK spreadsheets write them). The file is UTF-8, with or without a byte-order mark ("CSV UTF-8" in a spreadsheet's Save As), with CRLF or LF line ends; quoted fields may hold commas, quotes and line breaks; empty rows are skipped.

            Each row's due date is derived exactly as CREATE derives it; a row with responded_on is imported answered (with its outcome and grounds), so statistics cover the past; a row with an assignee is assigned. If any row is wrong, nothing is written and every problem is listed on stderr as "line N, column C: why" (N counts the file's lines, the header being line 1). Importing the same file again creates nothing: a row is the same as one imported before when its legacy_ref is, else when all its values are. No letters are written. --dry-run checks everything and writes nothing. The import is recorded against --as (or $FOIFLOW_USER), a manager or admin; with no user named, against the operator (os:<user>), who has database access anyway.

            Example:
              foiflow import backlog.csv --dry-run --as bkhan
              foiflow import backlog.csv --as bkhan
            """)

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var actor: ActorOptions
    @Argument(help: "The CSV file.") var file: String
    @Flag(help: "Check the file and say what would be imported; write nothing.") var dryRun = false
    @Option(help: "The most data rows one import takes (default 100000).")
    var maxRows = BacklogFile.Limits.standard.maxRows
    @Option(help: "The most bytes (UTF-8) one field may hold (default 16384).")
    var maxFieldLength = BacklogFile.Limits.standard.maxFieldBytes

    func validate() throws {
        guard (1...10_000_000).contains(maxRows) else { throw ValidationError("--max-rows must be 1 to 10000000") }
        guard (1...1_048_576).contains(maxFieldLength) else { throw ValidationError("--max-field-length must be 1 to 1048576") }
    }

    func run() async throws {
        let started = ContinuousClock.now
        guard let handle = FileHandle(forReadingAtPath: file) else {
            throw CLIError("import: cannot read \(file)", code: .notFound)
        }
        defer { try? handle.close() }
        let parsed = BacklogFile(handle: handle, limits: .init(maxRows: maxRows, maxFieldBytes: maxFieldLength))
        let bar = ProgressBar(enabled: isatty(STDERR_FILENO) == 1, started: started)
        let report: BacklogImport.Report
        do {
            report = try await database.makePool().using { pool in
                let actor = try await importer(pool)
                return try await BacklogImport(
                    pool: pool, calendars: CalendarCache(store: HolidayStore(pool: pool)), authority: Authority.fromEnvironment
                ).run(parsed, by: actor, today: LondonDate.today(), dryRun: dryRun) { done, total in bar.show(done, total) }
            }
        } catch let refused as BacklogImport.Refused {
            bar.clear()
            var stderr = StandardError()
            for problem in refused.problems { print(problem, to: &stderr) }
            let count = refused.problems.count
            throw CLIError("import: \(count) problem\(count == 1 ? "" : "s") in \(file); nothing was imported", code: .badArgument)
        }
        bar.clear()
        let took = (ContinuousClock.now - started).components
        let seconds = Double(took.seconds) + Double(took.attoseconds) / 1e18
        let verb = report.dryRun ? "would create" : "created"
        print(
            "import: \(report.rows) rows: \(verb) \(report.created) requests\(report.dryRun ? "" : " (\(report.answered) answered)"), \(report.alreadyImported) already imported; \(String(format: "%.1f", seconds)) s"
        )
    }
}

extension ImportCommand {
    /// Who the import is recorded against: the user named (`--as`, else `$FOIFLOW_USER`), who
    /// must be a manager or admin (rows may assign to others); with no user named, the
    /// operator with database access, recorded as `os:<user>`, like the other admin commands.
    func importer(_ pool: PostgresPool) async throws -> Actor {
        guard actor.named != nil else { return Actor(login: actor.actor, role: .admin) }
        return try await actor.requireUser(pool)
    }
}

/// `rows done/total (rate, time left)` redrawn on one stderr line, at most ten times a second.
final class ProgressBar: @unchecked Sendable {
    let enabled: Bool
    let started: ContinuousClock.Instant
    var last: ContinuousClock.Instant?

    init(enabled: Bool, started: ContinuousClock.Instant) {
        self.enabled = enabled
        self.started = started
    }

    func show(_ done: Int, _ total: Int) {
        guard enabled, total > 0 else { return }
        let now = ContinuousClock.now
        if let last, now - last < .milliseconds(100), done < total { return }
        last = now
        let elapsed = max(0.001, Double((now - started).components.seconds) + Double((now - started).components.attoseconds) / 1e18)
        let rate = Double(done) / elapsed
        let left = rate > 0 ? Double(total - done) / rate : 0
        let width = 30, filled = width * done / total
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        FileHandle.standardError.write(Data(String(format: "\r[%@] %d/%d rows, %.0f rows/s, %.0f s left ", bar, done, total, rate, left).utf8))
    }

    func clear() {
        guard enabled, last != nil else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}

/// Standard error as a `TextOutputStream`.
struct StandardError: TextOutputStream {
    mutating func write(_ string: String) { FileHandle.standardError.write(Data(string.utf8)) }
}
