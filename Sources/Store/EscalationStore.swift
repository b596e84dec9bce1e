import Dates
import Deadlines
import Foundation
import Letters
import Postgres
import Workflow

/// What a nightly run did (or, dry, would do).
public struct EscalationReport: Sendable, Equatable {
    public var asOf: CivilDate
    public var dryRun: Bool
    /// Each escalation: ref and level, most urgent due date first.
    public var escalated: [Escalated]
    /// Refs of the requests that lapsed.
    public var lapsedRefs: [String]
    /// Refs of the open requests sent (or set as a task) their monthly progress update.
    public var updatedRefs: [String] = []
    /// Another run held the lock, so this one did nothing.
    public var skipped: Bool
    /// Per level and calendar: the last due date that had reached the level.
    public var cutoffs: [EscalationLevel: [String: CivilDate]] = [:]

    /// One escalated request.
    public struct Escalated: Sendable, Equatable {
        public var ref: String
        public var level: EscalationLevel
    }

    /// Escalations per level (every level present, 0 when none).
    public var counts: [EscalationLevel: Int] {
        var counts = Dictionary(uniqueKeysWithValues: EscalationLevel.allCases.map { ($0, 0) })
        for item in escalated { counts[item.level, default: 0] += 1 }
        return counts
    }

    /// Number of lapses.
    public var lapsed: Int { lapsedRefs.count }

    /// Every escalation and lapse, as ref and label (a level, or `lapsed`), for listings.
    public var items: [(ref: String, level: String)] {
        escalated.map { ($0.ref, $0.level.rawValue) } + lapsedRefs.map { ($0, "lapsed") }
    }

    public static func == (lhs: EscalationReport, rhs: EscalationReport) -> Bool {
        lhs.asOf == rhs.asOf && lhs.dryRun == rhs.dryRun && lhs.escalated == rhs.escalated
            && lhs.lapsedRefs == rhs.lapsedRefs && lhs.skipped == rhs.skipped
    }
}

/// The nightly job: escalation of requests close to or past their due date, and lapsing
/// of requests that waited too long for a fee or a clarification.
///
/// The rules are `Workflow`'s: `EscalationLevel` says what each level's cutoff is, who is
/// told and in what words; `LapseRule` says which waiting requests lapse, and each lapse is
/// an `ACT lapse` decided by the workflow engine. This store applies them set-based: one
/// statement escalates every request that needs it, and one writes every lapse, in one
/// transaction under an advisory lock that a second run finds taken (it then does nothing).
/// Each escalation is recorded once per request, level and due date, with an `escalate`
/// event and a notification in the outbox, in that same transaction.
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

        /// The lapse rules this configuration puts in force.
        public var lapseRules: [LapseRule] { LapseRule.rules(feeMonths: feeMonths, clarificationMonths: clarificationMonths) }
    }

    public let pool: PostgresPool
    public let calendars: CalendarCache
    public let configuration: Configuration
    /// Renders the monthly progress updates.
    public let letters: LetterWriter

    public init(
        pool: PostgresPool, calendars: CalendarCache, configuration: Configuration = Configuration(), letters: LetterWriter = .standard()
    ) {
        self.pool = pool
        self.calendars = calendars
        self.configuration = configuration
        self.letters = letters
    }

    static let lockKey = 7_419_238_475_003
    /// Who the nightly job acts as.
    static let system = Actor(login: "system", role: .system)

    /// Runs the nightly job as of `asOf`. When another run holds the lock, waits up to `wait`
    /// for it (then runs: what that run did is not done again); still held: a `skipped` report.
    public func run(asOf: CivilDate, dryRun: Bool = false, wait: Duration = .zero) async throws -> EscalationReport {
        let deadline = ContinuousClock.now + wait
        while true {
            let report = try await runOnce(asOf: asOf, dryRun: dryRun)
            guard report.skipped, ContinuousClock.now < deadline else { return report }
            try await Task.sleep(for: .milliseconds(250))
        }
    }

    private func runOnce(asOf: CivilDate, dryRun: Bool) async throws -> EscalationReport {
        for attempt in 1...4 {
            let (version, calendarSet) = try await calendars.versioned(forceCheck: attempt > 1)
            let thresholds = try Thresholds(calendarSet, asOf: asOf)
            let engine = WorkflowEngine(calendars: calendarSet)
            let configuration = self.configuration
            let letters = self.letters.with(unit: try await UnitStore(pool: pool).current(fallback: self.letters.unit))
            let report = try await pool.withConnection { connection -> EscalationReport? in
                let locked =
                    try connection.query("SELECT pg_try_advisory_lock(\(EscalationStore.lockKey)) AS ok").first?.decode(Bool.self, "ok") ?? false
                guard locked else {
                    return EscalationReport(asOf: asOf, dryRun: dryRun, escalated: [], lapsedRefs: [], skipped: true)
                }
                defer { _ = try? connection.query("SELECT pg_advisory_unlock(\(EscalationStore.lockKey))") }
                return try connection.withTransaction { tx -> EscalationReport? in
                    guard try tx.query("SELECT foiflow_calendar_is(\(version)) AS ok").first?.decode(Bool.self, "ok") == true else {
                        return nil  // the calendar changed: decide again on the new one
                    }
                    let escalated = try EscalationStore.escalate(tx, thresholds: thresholds, asOf: asOf, dryRun: dryRun, configuration: configuration)
                    let lapsed = try EscalationStore.lapse(
                        tx, engine: engine, letters: letters, asOf: asOf, dryRun: dryRun, rules: configuration.lapseRules)
                    let updated = try EscalationStore.progressUpdates(tx, letters: letters, asOf: asOf, dryRun: dryRun)
                    var report = EscalationReport(asOf: asOf, dryRun: dryRun, escalated: escalated, lapsedRefs: lapsed, skipped: false)
                    report.updatedRefs = updated
                    return report
                }
            }
            if var report {
                report.cutoffs = thresholds.byLevel
                return report
            }
        }
        throw WorkflowError.conflict("the holiday calendar kept changing during escalation; run it again")
    }

    /// Every level's cutoff on every calendar, as the parallel arrays the escalation
    /// statement reads as a table (one row per level and calendar).
    struct Thresholds {
        var levels: [String] = [], ranks: [Int] = [], calendars: [String] = [], cutoffs: [CivilDate] = []
        var toAssignee: [Bool] = [], toManager: [Bool] = [], toHead: [Bool] = [], summaries: [String] = []
        var byLevel: [EscalationLevel: [String: CivilDate]] = [:]

        init(_ calendarSet: CalendarSet, asOf: CivilDate) throws(WorkflowError) {
            for (rank, level) in EscalationLevel.allCases.enumerated() {
                let perCalendar = try PerCalendar(calendarSet) { calendar throws(CalendarError) in
                    try level.cutoff(asOf: asOf, calendar: calendar)
                }
                byLevel[level] = perCalendar.byName
                for (calendar, cutoff) in zip(perCalendar.names, perCalendar.dates) {
                    levels.append(level.rawValue)
                    ranks.append(rank)
                    calendars.append(calendar)
                    cutoffs.append(cutoff)
                    toAssignee.append(level.recipients.contains(.assignee))
                    toManager.append(level.recipients.contains(.teamManager))
                    toHead.append(level.recipients.contains(.headOfUnit))
                    summaries.append(level.summary)
                }
            }
        }

        /// The latest cutoff of any level: no request due later can be escalated.
        var latest: CivilDate? { cutoffs.max() }
    }

    /// The open states, as constant SQL matching the partial index `requests_open_due`.
    static let escalatableStatesSQL = RequestStore.sqlList(TransitionTable.spec(for: .escalate).from)

    static func escalate(
        _ tx: PostgresConnection, thresholds t: Thresholds, asOf: CivilDate, dryRun: Bool, configuration: Configuration
    ) throws -> [EscalationReport.Escalated] {
        // Each open request takes the most severe level (lowest rank) whose cutoff on its
        // calendar its due date has reached; recipients are tried in the order
        // assignee, team manager, head of unit, as each level's recipients allow.
        // A dry run is the same statement with its writes switched off.
        let rows = try tx.query(
            """
            WITH thresholds AS MATERIALIZED (
                SELECT * FROM unnest(\(t.levels)::text[], \(t.ranks)::int[], \(t.calendars)::text[], \(t.cutoffs)::date[],
                                     \(t.toAssignee)::bool[], \(t.toManager)::bool[], \(t.toHead)::bool[], \(t.summaries)::text[])
                    AS t(level, rank, calendar, cutoff, to_assignee, to_manager, to_head, summary)
            ),
            todo AS (
                SELECT r.id, r.ref, r.due, t.level, t.to_assignee, t.to_manager, t.to_head, t.summary
                FROM requests r
                CROSS JOIN LATERAL (
                    SELECT * FROM thresholds t WHERE t.calendar = r.calendar AND r.due <= t.cutoff ORDER BY t.rank LIMIT 1
                ) t
                WHERE r.state IN \(unescaped: escalatableStatesSQL) AND r.due <= \(t.latest)
                  AND NOT EXISTS (SELECT 1 FROM escalations e WHERE e.request_id = r.id AND e.level = t.level AND e.due = r.due)
            ),
            esc AS (
                INSERT INTO escalations (request_id, level, due) SELECT id, level, due FROM todo WHERE NOT \(dryRun)
                ON CONFLICT DO NOTHING RETURNING request_id, level, due
            ),
            upd AS (
                UPDATE requests r SET version = r.version + 1, updated_at = now()
                FROM todo, esc WHERE r.id = esc.request_id AND todo.id = esc.request_id
                RETURNING r.id, r.ref, r.version, r.state, r.due, r.assignee, r.team, r.kind, todo.level, todo.to_assignee,
                          todo.to_manager, todo.to_head, todo.summary
            ),
            ev AS (
                INSERT INTO request_events (request_id, seq, actor, action, from_state, to_state, due, fields, effective_on)
                SELECT id, version, \(system.login), \(Action.escalate.rawValue), state, state, due,
                       jsonb_build_array(jsonb_build_array('level', level), jsonb_build_array('due', due::text)), \(asOf)::date
                FROM upd
            ),
            head AS (
                SELECT login FROM users
                WHERE disabled_at IS NULL AND login = coalesce(\(configuration.headOfUnit)::text, login)
                  AND (\(configuration.headOfUnit)::text IS NOT NULL OR role = \(Role.admin.rawValue))
                ORDER BY login LIMIT 1
            ),
            target AS (
                SELECT u.*, coalesce(
                    CASE WHEN u.to_assignee THEN (SELECT login FROM users WHERE login = u.assignee AND disabled_at IS NULL) END,
                    CASE WHEN u.to_manager THEN (SELECT login FROM users WHERE role = \(Role.manager.rawValue) AND team = u.team
                                                 AND disabled_at IS NULL ORDER BY login LIMIT 1) END,
                    CASE WHEN u.to_head THEN (SELECT login FROM head) END) AS recipient
                FROM upd u
            ),
            note AS (
                INSERT INTO notifications (request_id, level, recipient, email, subject, body)
                SELECT t.id, t.level, t.recipient, (SELECT email FROM users WHERE login = t.recipient),
                       format('[foiflow] %s %s: due %s', t.ref, t.level, t.due),
                       format(E'Request %s (%s%s) is %s: it is due on %s.\\n\\nSee: foiflow request show %s\\n',
                              t.ref, t.kind, coalesce(', team ' || t.team, ''), t.summary, t.due, t.ref)
                FROM target t
            )
            SELECT ref, level FROM (
                SELECT ref, level, due FROM todo WHERE \(dryRun)
                UNION ALL
                SELECT ref, level, due FROM upd
            ) done
            ORDER BY due, ref
            """
        ).rows
        return try decodeEscalated(rows)
    }

    private static func decodeEscalated(_ rows: [PostgresRow]) throws -> [EscalationReport.Escalated] {
        try rows.map { row in
            let name = try row.decode(String.self, "level")
            guard let level = EscalationLevel(rawValue: name) else { throw WorkflowError.inconsistent("unknown escalation level '\(name)'") }
            return .init(ref: try row.decode(String.self, "ref"), level: level)
        }
    }

    /// The kinds whose requesters get letters (not an ICO case).
    static let kindsWritingToRequesters = RequestKind.allCases.filter(\.writesToRequester).map(\.rawValue)

    /// The monthly progress update: every open request whose last contact (else receipt) is a
    /// calendar month or more before `asOf`, and that has not had its update for that date,
    /// gets a progress-update letter (queued e-mail with its outbox row, or a task), written in
    /// one statement that also records the date it was written for.
    static func progressUpdates(_ tx: PostgresConnection, letters: LetterWriter, asOf: CivilDate, dryRun: Bool) throws -> [String] {
        let rows = try tx.query(
            """
            SELECT r.id, r.ref, r.state, r.due, r.requester, r.email, r.address, r.phone, r.contact,
                   u.name AS lead_name, u.email AS lead_email, u.phone AS lead_phone,
                   (coalesce(r.last_contact, r.received) + interval '1 month')::date AS update_due
            FROM requests r LEFT JOIN users u ON u.login = r.assignee
            WHERE r.state IN \(unescaped: RequestStore.openStatesSQL) AND r.kind = ANY(\(EscalationStore.kindsWritingToRequesters)::text[])
              AND (coalesce(r.last_contact, r.received) + interval '1 month')::date <= \(asOf)
              AND (r.update_written_for IS NULL
                   OR r.update_written_for < (coalesce(r.last_contact, r.received) + interval '1 month')::date)
            ORDER BY r.ref
            """
        ).rows
        var refs: [String] = [], ids: [Int] = [], dues: [CivilDate] = [], channels: [String] = [], statuses: [String] = []
        var recipients: [String?] = [], subjects: [String] = [], bodies: [String] = [], notes: [String?] = []
        var due: [LetterWriter.UpdateDue] = []
        due.reserveCapacity(rows.count)
        for row in rows {
            let state = try row.decode(RequestState.self, "state")
            let (details, lead) = try RequestStore.recipient(from: row)
            let ref = try row.decode(String.self, "ref")
            due.append(.init(ref: ref, state: state, due: try row.decode(CivilDate?.self, "due"), details: details, lead: lead))
            refs.append(ref)
            ids.append(try row.decode(Int.self, "id"))
            dues.append(try row.decode(CivilDate.self, "update_due"))
        }
        guard !dryRun, !ids.isEmpty else { return refs }
        for letter in letters.progressUpdates(due) {
            channels.append(letter.channel.rawValue)
            statuses.append(letter.status)
            recipients.append(letter.recipient)
            subjects.append(letter.subject)
            bodies.append(letter.body)
            notes.append(letter.taskNote)
        }
        try tx.query(
            """
            WITH u AS (
                SELECT * FROM unnest(\(ids)::bigint[], \(dues)::date[], \(channels)::text[], \(statuses)::text[], \(recipients)::text[],
                                     \(subjects)::text[], \(bodies)::text[], \(notes)::text[])
                    AS u(id, update_due, channel, status, recipient, subject, body, task_note)
            ),
            marked AS (
                UPDATE requests r SET update_written_for = u.update_due FROM u WHERE r.id = u.id RETURNING r.id
            ),
            letter AS (
                INSERT INTO letters (request_id, template, channel, status, recipient, subject, body, task_note)
                SELECT id, \(LetterType.progressUpdate.rawValue), channel, status, recipient, subject, body, task_note FROM u
                RETURNING id, request_id, status, recipient, subject, body
            )
            INSERT INTO notifications (request_id, level, recipient, email, subject, body, letter_id)
            SELECT l.request_id, 'letter', r.requester, l.recipient, l.subject, l.body, l.id
            FROM letter l JOIN requests r ON r.id = l.request_id WHERE l.status = 'queued'
            """)
        return refs
    }

    /// Requests that waited on the requester past their rule's limit, each lapsed by the
    /// workflow engine (`ACT lapse` as the system) and written together.
    static func lapse(
        _ tx: PostgresConnection, engine: WorkflowEngine, letters: LetterWriter, asOf: CivilDate, dryRun: Bool, rules: [LapseRule]
    ) throws -> [String] {
        var states: [String] = [], kinds: [String] = [], months: [Int] = [], reasons: [String] = []
        for rule in rules {
            for kind in RequestKind.allCases where rule.kinds.contains(kind) {
                states.append(rule.state.rawValue)
                kinds.append(kind.rawValue)
                months.append(rule.months)
                reasons.append(rule.reason)
            }
        }
        let rows = try tx.query(
            """
            SELECT \(unescaped: RequestStore.qualifiedRecordColumns), r.ref, rule.reason AS lapse_reason,
                   r.requester, r.email, r.address, r.phone, r.contact, u.name AS lead_name, u.email AS lead_email, u.phone AS lead_phone
            FROM requests r LEFT JOIN users u ON u.login = r.assignee
            JOIN unnest(\(states)::text[], \(kinds)::text[], \(months)::int[], \(reasons)::text[])
                AS rule(rule_state, rule_kind, rule_months, reason)
              ON rule.rule_state = r.state AND rule.rule_kind = r.kind
            WHERE (r.clock->>\(StatutoryClock.CodingKeys.pausedSince.rawValue))::date + make_interval(months => rule.rule_months) <= \(asOf)
            ORDER BY r.ref
            """
        ).rows
        var changes: [RequestStore.Change] = []
        for row in rows {
            let record = try RequestStore.record(from: row)
            let reason = try row.decode(String.self, "lapse_reason")
            let (next, event) = try engine.act(.lapse, fields: [Field("reason", reason)], by: system, today: asOf, on: record)
            let ref = try row.decode(String.self, "ref")
            let (details, lead) = try RequestStore.recipient(from: row)
            let letter = letters.forAction(.lapse, ref: ref, record: next, fields: event.fields, details: details, lead: lead)
            changes.append(
                .init(
                    id: try row.decode(Int.self, "id"), ref: ref, from: record, to: next, event: event, letter: letter,
                    requester: details.personal.requester))
        }
        if dryRun { return changes.map(\.ref) }
        return try RequestStore.writeAll(tx, changes, actor: system.login)
    }
}
