import Dates
import Deadlines
import Digest
import Formats
import Foundation
import LineProtocol
import Mail
import Postgres
import Workflow

/// Imports a backlog spreadsheet (`foiflow import`): every row is decided by the workflow
/// engine exactly as `CREATE` (then `assign` and `respond` where the row says so) would decide
/// it, then all rows are written at once (COPY into a staging table, then set-based SQL that
/// writes the requests, their events and grounds) in one transaction: any invalid row, and
/// nothing is written. Rows imported before (same `legacy_ref`, else the same values) are
/// left alone, so importing a file again creates nothing. Imports write no letters: the
/// requesters heard about these requests long ago.
public struct BacklogImport: Sendable {
    /// What an import did (or, dry, would do).
    public struct Report: Sendable, Equatable {
        public var rows = 0
        public var created = 0
        public var answered = 0
        public var alreadyImported = 0
        public var dryRun = false
    }

    /// Why an import wrote nothing: every problem, by line.
    public struct Refused: Error, Sendable, CustomStringConvertible {
        public var problems: [BacklogFile.Problem]
        public var description: String { "\(problems.count) problem\(problems.count == 1 ? "" : "s"); nothing was imported" }
    }

    /// The kinds a spreadsheet row may be: those that concern no other request.
    public static let kinds = RequestKind.allCases.filter { $0.parentKinds.isEmpty }
    public static var kindNames: String { kinds.map(\.rawValue).joined(separator: ", ") }
    /// The outcomes an answered row may have (every kind imported answers with the same).
    public static var outcomeNames: String {
        Array(Set(kinds.flatMap(Outcome.allowed(for:)))).sorted { $0.rawValue < $1.rawValue }.map(\.rawValue).joined(separator: ", ")
    }

    public let pool: PostgresPool
    public let calendars: CalendarCache
    public let authority: Authority
    public let grounds: GroundsStore

    public init(pool: PostgresPool, calendars: CalendarCache, authority: Authority = Authority(), grounds: GroundsStore? = nil) {
        self.pool = pool
        self.calendars = calendars
        self.authority = authority
        self.grounds = grounds ?? GroundsStore(pool: pool)
    }

    /// A row decided: the request and its events as they will be written.
    struct Planned {
        var line: Int
        var key: String
        var record: RequestRecord
        var details: RequestDetails
        var legacyRef: String?
        var events: [EventDraft]
    }

    /// Checks and imports `file` as `actor`; `progress(rows done, rows)` is called as it goes.
    /// Throws `Refused` listing every problem when any row is wrong.
    public func run(
        _ file: BacklogFile, by actor: Actor, today: CivilDate, dryRun: Bool = false, progress: (Int, Int) -> Void = { _, _ in }
    ) async throws -> Report {
        try Permissions.require(actor.role, .create)
        guard file.complete, file.problems.allSatisfy({ $0.line > 1 }) else { throw Refused(problems: file.problems) }
        let (calendarVersion, calendarSet) = try await calendars.versioned(forceCheck: true)
        let engine = WorkflowEngine(calendars: calendarSet, authority: authority, grounds: try await grounds.table())
        let logins = Set(
            try await pool.query("SELECT login FROM users WHERE disabled_at IS NULL").rows.map { try $0.decode(String.self, "login") })
        var problems = file.problems
        var planned: [Planned] = []
        planned.reserveCapacity(file.rows.count)
        var firstLine: [String: Int] = [:]
        for (index, row) in file.rows.enumerated() {
            switch plan(row, engine: engine, actor: actor, today: today, logins: logins) {
            case .success(let request):
                if let earlier = firstLine[request.key] {
                    let column = request.legacyRef == nil ? nil : "legacy_ref"
                    problems.append(.init(line: row.line, column: column, message: "the same request as line \(earlier)"))
                } else {
                    firstLine[request.key] = row.line
                    planned.append(request)
                }
            case .failure(let rowProblems):
                problems += rowProblems
            }
            if index % 1000 == 999 { progress(index + 1, file.rows.count) }
        }
        progress(file.rows.count, file.rows.count)
        guard problems.isEmpty else { throw Refused(problems: problems.sorted { ($0.line, $0.column ?? "") < ($1.line, $1.column ?? "") }) }
        var report = Report(rows: file.rows.count, dryRun: dryRun)
        let keys = planned.map(\.key)
        if dryRun {
            let existing =
                try await pool.query("SELECT count(*) AS n FROM requests WHERE import_key = ANY(\(keys)::text[])").first?.decode(Int.self, "n")
                ?? 0
            report.alreadyImported = existing
            report.created = planned.count - existing
            return report
        }
        // Rows imported before are left out before anything is copied (a second import of a
        // large file then costs one read).
        let existing = Set(
            try await pool.query("SELECT import_key FROM requests WHERE import_key = ANY(\(keys)::text[])").rows.map {
                try $0.decode(String.self, "import_key")
            })
        let fresh = planned.filter { !existing.contains($0.key) }
        guard !fresh.isEmpty else {
            report.alreadyImported = planned.count
            return report
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let lines = try fresh.map { try BacklogImport.copyLine($0, clockEncoder: encoder) }
        let written = try await pool.withConnection { connection in
            try connection.withTransaction { tx -> (Int, Int) in
                guard try tx.query("SELECT foiflow_calendar_is(\(calendarVersion)) AS ok").first?.decode(Bool.self, "ok") == true else {
                    throw WorkflowError.conflict("the holiday calendar changed during the import; run it again")
                }
                try tx.query("CREATE TEMP TABLE import_rows (\(unescaped: BacklogImport.stagingColumns)) ON COMMIT DROP")
                try tx.copyIn("COPY import_rows (\(BacklogImport.stagingNames)) FROM STDIN", lines: lines)
                let row = try tx.query(
                    """
                    WITH fresh AS (
                        SELECT s.* FROM import_rows s
                        WHERE NOT EXISTS (SELECT 1 FROM requests r WHERE r.import_key = s.import_key)
                    ),
                    req AS (
                        INSERT INTO requests (ref, kind, state, version, received, calendar, due, max_due, clock, assignee, team,
                                              requester, email, address, phone, contact, subject, outcome, exemptions, responded_on,
                                              legacy_ref, import_key, created_by)
                        SELECT foiflow_new_reference(f.kind, extract(year FROM f.received)::int),
                               f.kind, f.state, f.version, f.received, f.calendar, f.due, f.max_due, f.clock::jsonb, f.assignee, f.team,
                               f.requester, f.email, f.address, f.phone, f.contact, f.subject, f.outcome, f.exemptions, f.responded_on,
                               f.legacy_ref, f.import_key, \(actor.login)
                        FROM fresh f
                        RETURNING id, import_key, responded_on
                    ),
                    ev AS (
                        INSERT INTO request_events (request_id, seq, actor, action, from_state, to_state, due, fields, effective_on)
                        SELECT req.id, e.seq, \(actor.login), e.action, e.from_state, e.to_state, e.due, e.fields, e.effective_on
                        FROM req JOIN import_rows s ON s.import_key = req.import_key,
                             jsonb_to_recordset(s.events::jsonb)
                                 AS e(seq int, action text, from_state text, to_state text, due date, fields jsonb, effective_on date)
                        -- In order: each event's digest chains to the one before it.
                        ORDER BY req.id, e.seq
                    ),
                    gr AS (
                        INSERT INTO request_grounds (request_id, ground, cited, in_response)
                        SELECT req.id, g ->> 0, g ->> 1, true
                        FROM req JOIN import_rows s ON s.import_key = req.import_key, jsonb_array_elements(s.grounds::jsonb) g
                    )
                    SELECT count(*) AS created, count(responded_on) AS answered FROM req
                    """
                ).first
                return (try row?.decode(Int.self, "created") ?? 0, try row?.decode(Int.self, "answered") ?? 0)
            }
        }
        report.created = written.0
        report.answered = written.1
        report.alreadyImported = planned.count - written.0
        return report
    }

    /// A row decided, or what is wrong with it.
    enum Decision {
        case success(Planned)
        case failure([BacklogFile.Problem])
    }

    /// Decides one row with the engine, as `CREATE`, `assign` and `respond` would.
    func plan(
        _ row: BacklogFile.Row, engine: WorkflowEngine, actor: Actor, today: CivilDate, logins: Set<String>
    ) -> Decision {
        var problems: [BacklogFile.Problem] = []
        func problem(_ column: String?, _ message: String) { problems.append(.init(line: row.line, column: column, message: message)) }
        let v = row.values
        var kind: RequestKind?
        if let name = v["kind"] {
            if let parsed = RequestKind(name: name), parsed.parentKinds.isEmpty {
                kind = parsed
            } else if let parsed = RequestKind(name: name) {
                problem("kind", "\(parsed.rawValue) cannot be imported (it needs the request it concerns: create it with CREATE)")
            } else {
                problem("kind", "'\(name)' is not one of \(BacklogImport.kindNames)")
            }
        } else {
            problem("kind", "missing")
        }
        func date(_ column: String) -> CivilDate? {
            guard let text = v[column] else { return nil }
            guard let date = BacklogFile.date(text) else {
                problem(column, "'\(text)' is not a date (YYYY-MM-DD or DD/MM/YYYY)")
                return nil
            }
            return date
        }
        let received = date("received")
        if v["received"] == nil { problem("received", "missing") }
        if v["requester"] == nil { problem("requester", "missing") }
        let respondedOn = date("responded_on")
        if v["responded_on"] != nil, v["outcome"] == nil { problem("outcome", "an answered row (responded_on) needs its outcome") }
        if v["outcome"] != nil, v["responded_on"] == nil { problem("responded_on", "an outcome needs the date it was sent") }
        if v["exemptions"] != nil, v["outcome"] == nil { problem("exemptions", "exemptions belong to an answered row (outcome, responded_on)") }
        if let assignee = v["assignee"], !logins.contains(assignee) { problem("assignee", "no active user '\(assignee)'") }
        if let email = v["email"], let why = EmailAddress.problem(email) {
            problem("email", "the address \(why)")
        }
        guard let kind, let received, problems.isEmpty else { return .failure(problems) }

        /// An engine refusal, against the column it names (`received=...`, `outcome=...`).
        func refused(_ error: WorkflowError, default column: String?) {
            let text = error.description
            let named = BacklogFile.requiredColumns + BacklogFile.optionalColumns
            let column = named.first { text.hasPrefix("\($0)=") || text.hasPrefix("\($0) ") || text.hasPrefix("\($0):") } ?? column
            problem(text.hasPrefix("on=") ? "responded_on" : column, text)
        }
        var fields = [Field("received", received.description)]
        for key in ["requester", "subject", "email", "address", "phone", "contact", "team"] {
            if let value = v[key] { fields.append(Field(key, key == "contact" ? value.lowercased() : value)) }
        }
        var events: [EventDraft] = []
        var record: RequestRecord
        var details: RequestDetails
        do {
            (record, details, _) = try engine.create(kind: kind, fields: fields, by: actor, today: today)
            events.append(EventDraft(action: .create, from: nil, to: .received, fields: fields, due: record.due, effectiveOn: received))
        } catch {
            refused(error, default: nil)
            return .failure(problems)
        }
        if let assignee = v["assignee"] {
            do {
                let (next, event) = try engine.act(.assign, fields: [Field("to", assignee)], by: actor, today: today, on: record)
                record = next
                events.append(event)
            } catch {
                refused(error, default: "assignee")
            }
        }
        if let outcome = v["outcome"], let respondedOn {
            var respond = [Field("outcome", outcome.lowercased()), Field("on", respondedOn.description)]
            if let exemptions = v["exemptions"] { respond.insert(Field("exemptions", exemptions), at: 1) }
            do {
                let (next, event) = try engine.act(.respond, fields: respond, by: actor, today: today, on: record)
                record = next
                events.append(event)
            } catch {
                refused(error, default: "outcome")
            }
        }
        guard problems.isEmpty else { return .failure(problems) }
        let legacyRef = v["legacy_ref"]
        let key =
            legacyRef.map { "legacy:" + $0 }
            ?? "row:"
            + SHA256.hex(
                (BacklogFile.requiredColumns + BacklogFile.optionalColumns).map { "\($0)=\(v[$0] ?? "")" }.joined(separator: "\n"))
        return .success(Planned(line: row.line, key: key, record: record, details: details, legacyRef: legacyRef, events: events))
    }

    /// One staging row in COPY's text format. JSON is written by hand: JSONSerialization cost
    /// more than everything else together on 100,000 rows.
    static func copyLine(_ p: Planned, clockEncoder: JSONEncoder) throws -> String {
        let r = p.record, d = p.details
        var events = "["
        for (index, event) in p.events.enumerated() {
            if index > 0 { events += "," }
            events += #"{"seq":\#(index + 1),"action":\#(JSONText.string(event.action.rawValue)),"to_state":\#(JSONText.string(event.to.rawValue))"#
            if let from = event.from { events += #","from_state":\#(JSONText.string(from.rawValue))"# }
            if let due = event.due { events += #","due":"\#(due)""# }
            if let on = event.effectiveOn { events += #","effective_on":"\#(on)""# }
            events += #","fields":"# + JSONText.fields(event.fields) + "}"
        }
        events += "]"
        let cited = p.events.last(where: { $0.action == .respond })?.grounds ?? []
        let grounds = "[" + cited.map { "[\(JSONText.string($0.ground.code)),\(JSONText.string($0.cited))]" }.joined(separator: ",") + "]"
        let clock = String(decoding: try clockEncoder.encode(r.clock), as: UTF8.self)
        let values: [StagingColumn: String?] = [
            .line: String(p.line), .importKey: p.key, .kind: r.kind.rawValue, .received: r.received.description,
            .calendar: r.calendar.rawValue, .state: r.state.rawValue, .version: String(p.events.count), .due: r.due?.description,
            .maxDue: r.maxDue?.description, .clock: clock, .assignee: r.assignee, .team: d.team, .requester: d.personal.requester,
            .email: d.personal.email, .address: d.personal.address, .phone: d.personal.phone, .contact: d.contact?.rawValue,
            .subject: d.personal.subject,
            .outcome: r.outcome?.rawValue, .exemptions: r.exemptions, .respondedOn: r.respondedOn?.description, .legacyRef: p.legacyRef,
            .events: events, .grounds: grounds,
        ]
        return StagingColumn.allCases.map { copyText(values[$0] ?? nil) }.joined(separator: "\t") + "\n"
    }

    /// The staging table's columns, in COPY order: the one list the table, the COPY and each
    /// line are made from (a value missing from a line's dictionary is NULL).
    enum StagingColumn: String, CaseIterable {
        case line
        case importKey = "import_key"
        case kind, received, calendar, state, version, due
        case maxDue = "max_due"
        case clock, assignee, team
        case requester, email, address, phone, contact, subject, outcome, exemptions
        case respondedOn = "responded_on"
        case legacyRef = "legacy_ref"
        case events, grounds

        var sqlType: String {
            switch self {
            case .line, .version: "int"
            case .received, .due, .maxDue, .respondedOn: "date"
            default: "text"
            }
        }
    }

    static let stagingNames = StagingColumn.allCases.map(\.rawValue).joined(separator: ", ")
    static let stagingColumns = StagingColumn.allCases.map { "\($0.rawValue) \($0.sqlType)" }.joined(separator: ", ")

    /// A value in COPY's text format: `\N` for NULL; backslash, tab, newline and CR escaped.
    static func copyText(_ value: String?) -> String {
        guard let value else { return "\\N" }
        return Escaper.escape(value, reserving: 0) { scalar in
            switch scalar {
            case "\\": "\\\\"
            case "\t": "\\t"
            case "\n": "\\n"
            case "\r": "\\r"
            default: nil
            }
        }
    }
}
