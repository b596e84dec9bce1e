import Dates
import Deadlines
import Foundation
import Postgres
import Workflow

/// What a nightly run did (or, dry, would do).
public struct EscalationReport: Sendable, Equatable {
    public var asOf: CivilDate
    public var dryRun: Bool
    /// Escalations per level: `warning`, `overdue`, `very-overdue`.
    public var counts: [String: Int]
    public var lapsed: Int
    /// Each escalation or lapse: ref and level (`lapsed` for lapses).
    public var items: [(ref: String, level: String)]
    /// Another run held the lock, so this one did nothing.
    public var skipped: Bool
    /// Per calendar: the last due date counted as `warning`, and the last as `very-overdue`.
    public var warningUntil: [String: CivilDate] = [:]
    public var veryOverdueUntil: [String: CivilDate] = [:]

    public static func == (lhs: EscalationReport, rhs: EscalationReport) -> Bool {
        lhs.asOf == rhs.asOf && lhs.dryRun == rhs.dryRun && lhs.counts == rhs.counts && lhs.lapsed == rhs.lapsed
            && lhs.skipped == rhs.skipped && lhs.items.map(\.ref) == rhs.items.map(\.ref) && lhs.items.map(\.level) == rhs.items.map(\.level)
    }
}

/// The nightly job: escalation of requests close to or past their due date, and lapsing
/// of requests that waited too long for a fee or a clarification.
///
/// Set-based: one statement escalates every request that needs it, one lapses; both run in
/// one transaction, under an advisory lock that a second run finds taken (it then does
/// nothing). Each escalation is recorded once per request, level and due date, with an
/// `escalate` event and a notification in the outbox, in that same transaction.
public struct EscalationStore: Sendable {
    public struct Configuration: Sendable {
        /// Login of the head of unit (very-overdue); default: the first admin by login.
        public var headOfUnit: String?
        /// Months a request may wait for clarification before it lapses.
        public var clarificationMonths: Int
        /// Months an FOI may wait for its fee before it lapses (FOIA s.9(2): three).
        public var feeMonths: Int

        public init(headOfUnit: String? = nil, clarificationMonths: Int = 3, feeMonths: Int = 3) {
            self.headOfUnit = headOfUnit
            self.clarificationMonths = clarificationMonths
            self.feeMonths = feeMonths
        }
    }

    public let pool: PostgresPool
    public let calendars: CalendarCache
    public let configuration: Configuration

    public init(pool: PostgresPool, calendars: CalendarCache, configuration: Configuration = Configuration()) {
        self.pool = pool
        self.calendars = calendars
        self.configuration = configuration
    }

    static let lockKey = 7_419_238_475_003

    /// Runs the nightly job as of `asOf`.
    public func run(asOf: CivilDate, dryRun: Bool = false) async throws -> EscalationReport {
        for attempt in 1...4 {
            let (version, calendarSet) = try await calendars.versioned(forceCheck: attempt > 1)
            let cutoffs = try EscalationStore.cutoffs(calendarSet, asOf: asOf)
            let configuration = self.configuration
            let report = try await pool.withConnection { connection -> EscalationReport? in
                let locked = try connection.query("SELECT pg_try_advisory_lock($1) AS ok", [EscalationStore.lockKey]).first?.decode(Bool.self, "ok") ?? false
                guard locked else {
                    return EscalationReport(asOf: asOf, dryRun: dryRun, counts: [:], lapsed: 0, items: [], skipped: true)
                }
                defer { _ = try? connection.query("SELECT pg_advisory_unlock($1)", [EscalationStore.lockKey]) }
                return try connection.withTransaction { tx -> EscalationReport? in
                    guard try tx.query("SELECT foiflow_calendar_is($1) AS ok", [version]).first?.decode(Bool.self, "ok") == true else {
                        return nil  // the calendar changed: decide again on the new one
                    }
                    let escalated = try EscalationStore.escalate(tx, cutoffs: cutoffs, asOf: asOf, dryRun: dryRun, configuration: configuration)
                    let lapsed = try EscalationStore.lapse(tx, asOf: asOf, dryRun: dryRun, configuration: configuration)
                    var counts = ["warning": 0, "overdue": 0, "very-overdue": 0]
                    for item in escalated { counts[item.level, default: 0] += 1 }
                    return EscalationReport(asOf: asOf, dryRun: dryRun, counts: counts, lapsed: lapsed.count, items: escalated + lapsed.map { ($0, "lapsed") }, skipped: false)
                }
            }
            if var report {
                report.warningUntil = Dictionary(uniqueKeysWithValues: cutoffs.warning.map { ($0.key.rawValue, $0.value) })
                report.veryOverdueUntil = Dictionary(uniqueKeysWithValues: cutoffs.veryOverdue.map { ($0.key.rawValue, $0.value) })
                return report
            }
        }
        throw StoreError.conflict("the holiday calendar kept changing during escalation; run it again")
    }

    /// Per calendar: the last due date that is `warning` (3 working days or fewer left)
    /// and the last that is `very-overdue` (20 or more working days past).
    struct Cutoffs {
        var warning: [CalendarID: CivilDate]
        var veryOverdue: [CalendarID: CivilDate]
    }

    static func cutoffs(_ calendars: CalendarSet, asOf: CivilDate) throws -> Cutoffs {
        var warning: [CalendarID: CivilDate] = [:], very: [CalendarID: CivilDate] = [:]
        do {
            for id in CalendarID.allCases {
                let calendar = calendars[id]
                // days_left <= 3: before the 4th working day after as-of.
                warning[id] = try calendar.addWorkingDays(asOf, 4).adding(days: -1)
                // days_left <= -20: at least 20 working days after the due date, up to as-of.
                var cut = try calendar.addWorkingDays(asOf, -21)
                while try calendar.workingDaysBetween(cut.adding(days: 1), asOf) >= 20 { cut = cut.adding(days: 1) }
                very[id] = cut
            }
        } catch {
            throw WorkflowError.badArgument(error.description)
        }
        return Cutoffs(warning: warning, veryOverdue: very)
    }

    static func escalate(_ tx: PostgresConnection, cutoffs: Cutoffs, asOf: CivilDate, dryRun: Bool, configuration: Configuration) throws -> [(ref: String, level: String)] {
        let parameters: [PostgresBind] = [
            asOf,
            cutoffs.warning[.uk], cutoffs.warning[.englandAndWales], cutoffs.warning[.scotland], cutoffs.warning[.northernIreland],
            cutoffs.veryOverdue[.uk], cutoffs.veryOverdue[.englandAndWales], cutoffs.veryOverdue[.scotland], cutoffs.veryOverdue[.northernIreland],
            cutoffs.warning.values.max(), configuration.headOfUnit,
        ]
        let candidates = """
            WITH cand AS (
                SELECT r.id, r.ref, r.due, r.assignee, r.team, r.kind, r.subject,
                       CASE WHEN r.due <= CASE r.calendar WHEN 'uk' THEN $6::date WHEN 'england-and-wales' THEN $7::date
                                                          WHEN 'scotland' THEN $8::date ELSE $9::date END THEN 'very-overdue'
                            WHEN r.due < $1::date THEN 'overdue'
                            WHEN r.due <= CASE r.calendar WHEN 'uk' THEN $2::date WHEN 'england-and-wales' THEN $3::date
                                                          WHEN 'scotland' THEN $4::date ELSE $5::date END THEN 'warning'
                       END AS level
                FROM requests r
                WHERE r.state IN \(RequestStore.openStatesSQL) AND r.due <= $10::date
            ),
            todo AS (
                SELECT c.* FROM cand c
                WHERE c.level IS NOT NULL
                  AND NOT EXISTS (SELECT 1 FROM escalations e WHERE e.request_id = c.id AND e.level = c.level AND e.due = c.due)
            )
            """
        if dryRun {
            return try tx.query(candidates + " SELECT ref, level, $11::text AS head FROM todo ORDER BY due, ref", parameters).rows.map {
                (try $0.decode(String.self, "ref"), try $0.decode(String.self, "level"))
            }
        }
        let rows = try tx.query(
            candidates + """
            ,
            esc AS (
                INSERT INTO escalations (request_id, level, due) SELECT id, level, due FROM todo
                ON CONFLICT DO NOTHING RETURNING request_id, level, due
            ),
            upd AS (
                UPDATE requests r SET version = r.version + 1, updated_at = now()
                FROM esc WHERE r.id = esc.request_id
                RETURNING r.id, r.ref, r.version, r.state, r.due, r.assignee, r.team, r.kind, r.subject, esc.level
            ),
            ev AS (
                INSERT INTO request_events (request_id, seq, actor, action, from_state, to_state, due, fields)
                SELECT id, version, 'system', 'escalate', state, state, due,
                       jsonb_build_array(jsonb_build_array('level', level), jsonb_build_array('due', due::text))
                FROM upd
            ),
            head AS (
                SELECT login FROM users WHERE disabled_at IS NULL AND login = coalesce($11::text, login) AND ($11::text IS NOT NULL OR role = 'admin')
                ORDER BY login LIMIT 1
            ),
            target AS (
                SELECT u.*,
                       CASE u.level
                           WHEN 'warning' THEN coalesce(
                               (SELECT login FROM users WHERE login = u.assignee AND disabled_at IS NULL),
                               (SELECT login FROM users WHERE role = 'manager' AND team = u.team AND disabled_at IS NULL ORDER BY login LIMIT 1),
                               (SELECT login FROM head))
                           WHEN 'overdue' THEN coalesce(
                               (SELECT login FROM users WHERE role = 'manager' AND team = u.team AND disabled_at IS NULL ORDER BY login LIMIT 1),
                               (SELECT login FROM head))
                           ELSE (SELECT login FROM head)
                       END AS recipient
                FROM upd u
            ),
            note AS (
                INSERT INTO notifications (request_id, level, recipient, email, subject, body)
                SELECT t.id, t.level, t.recipient, (SELECT email FROM users WHERE login = t.recipient),
                       format('[foiflow] %s %s: due %s', t.ref, t.level, t.due),
                       format(E'Request %s (%s%s) is %s: it is due on %s.\\n\\nSee: foiflow request show %s\\n',
                              t.ref, t.kind, coalesce(', team ' || t.team, ''),
                              CASE t.level WHEN 'warning' THEN 'due within three working days'
                                           WHEN 'overdue' THEN 'overdue' ELSE 'twenty or more working days overdue' END,
                              t.due, t.ref)
                FROM target t
            )
            SELECT ref, level FROM upd ORDER BY due, ref
            """, parameters).rows
        return try rows.map { (try $0.decode(String.self, "ref"), try $0.decode(String.self, "level")) }
    }

    /// FOIs waiting for a fee, and any request waiting for clarification, past the limit.
    static func lapse(_ tx: PostgresConnection, asOf: CivilDate, dryRun: Bool, configuration: Configuration) throws -> [String] {
        let parameters: [PostgresBind] = [asOf, configuration.feeMonths, configuration.clarificationMonths]
        let due = """
            WITH due AS (
                SELECT id, ref, state,
                       CASE state WHEN 'awaiting_fee' THEN format('fee not paid within %s months (FOIA s.9(2))', $2::int)
                                  ELSE format('no clarification within %s months', $3::int) END AS reason
                FROM requests
                WHERE (state = 'awaiting_fee' AND kind = 'foi'
                       AND (clock->>'pausedSince')::date + make_interval(months => $2::int) <= $1::date)
                   OR (state = 'awaiting_clarification'
                       AND (clock->>'pausedSince')::date + make_interval(months => $3::int) <= $1::date)
            )
            """
        if dryRun {
            return try tx.query(due + " SELECT ref FROM due ORDER BY ref", parameters).rows.map { try $0.decode(String.self, "ref") }
        }
        return try tx.query(
            due + """
            ,
            upd AS (
                UPDATE requests r SET state = 'lapsed', version = r.version + 1, updated_at = now()
                FROM due WHERE r.id = due.id
                RETURNING r.id, r.ref, r.version, due.state AS from_state, due.reason
            ),
            ev AS (
                INSERT INTO request_events (request_id, seq, actor, action, from_state, to_state, due, fields)
                SELECT id, version, 'system', 'lapse', from_state, 'lapsed', NULL, jsonb_build_array(jsonb_build_array('reason', reason))
                FROM upd
            )
            SELECT ref FROM upd ORDER BY ref
            """, parameters).rows.map { try $0.decode(String.self, "ref") }
    }
}
