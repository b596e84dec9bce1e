import Dates
import Deadlines
import Digest
import Foundation
import Letters
import Postgres
import Workflow

/// Requests and their history: the system of record, used by the server and the CLI alike.
///
/// Every change is one statement, so one transaction and one round trip: the
/// row is updated only if it is still at the version the change was decided
/// on, and exactly one event is written with it. The workflow itself (who may
/// do what, the clock, the due date) is decided by the pure `WorkflowEngine`
/// over the current calendars; the database confirms that calendar version in
/// the same statement (`foiflow_calendar_is`).
public struct RequestStore: Sendable {
    public let pool: PostgresPool
    public let calendars: CalendarCache
    public let authority: Authority
    /// The letters actions write to requesters.
    public let letters: LetterWriter
    /// The refusal grounds responses and extensions cite.
    public let grounds: GroundsStore
    /// Requests this process read or wrote, so an action on one of them takes one round trip
    /// (`nil`: every action reads its request first, as a one-shot CLI command does).
    public let heldRows: HeldRows?
    /// The unit's details letters name (`foiflow unit set`; `letters.unit` while none are set).
    public let unit: UnitCache
    /// Which fields the history keeps, so a CREATE writes its event already split.
    public let privacy: EventPrivacyCache

    public init(
        pool: PostgresPool, calendars: CalendarCache, authority: Authority = Authority(), letters: LetterWriter = .standard(),
        grounds: GroundsStore? = nil, heldRows: HeldRows? = nil, unit: UnitCache? = nil, privacy: EventPrivacyCache? = nil
    ) {
        self.heldRows = heldRows
        self.privacy = privacy ?? EventPrivacyCache(pool: pool)
        self.unit = unit ?? UnitCache(store: UnitStore(pool: pool), fallback: letters.unit)
        self.pool = pool
        self.calendars = calendars
        self.authority = authority
        self.letters = letters
        self.grounds = grounds ?? GroundsStore(pool: pool)
    }

    /// How many times a change is retried after losing a race it did not ask to detect (with a
    /// short random pause after the first few, so contenders spread out); then `BUSY`.
    static let attempts = 32

    /// A pause of up to `attempt` milliseconds before retrying a lost race.
    static func backOff(_ attempt: Int) async {
        guard attempt > 2 else { return }
        try? await Task.sleep(for: .microseconds(Int.random(in: 100...(1000 * min(attempt, 10)))))
    }

    /// A response's entry on the disclosure log: its title, and the day it appears.
    struct Publication: Sendable {
        var title: String
        var on: CivilDate
    }

    // MARK: Create

    /// Creates a request (`CREATE`). With an idempotency key already used by this
    /// user: the original result with `replayed`, or a mismatch error.
    public func create(
        kind: RequestKind, fields: [Field], idempotencyKey: String? = nil, by actor: Actor, credential: Credential? = nil,
        today: CivilDate
    ) async throws -> ChangeResult {
        // Only a CREATE with an idempotency key stores (and compares) what it asked for.
        let contentHash = idempotencyKey == nil ? "" : RequestStore.contentHash(kind: kind, fields: fields)
        // A review or an ICO case needs to know the request it concerns (a review asked for
        // late is flagged); one read, only for them.
        var parent: ParentFacts?
        if let ref = fields.last(where: { $0.key == "parent" })?.value, let reference = RequestReference(ref),
            kind.parentKinds.contains(reference.kind)
        {
            parent = try await parentFacts(ref: ref, scope: actor.scope)
            if parent == nil { throw WorkflowError.notFound("parent=\(ref): no such request") }
        }
        var referenceTaken = false
        // The request's access code (the status page on the web): given once, in the answer to
        // the web form and in the acknowledgement letter; only its hash is stored.
        let accessCode = AccessCode.make()
        for attempt in 1...RequestStore.attempts {
            let (version, calendarSet) = try await calendars.versioned(forceCheck: attempt > 1)
            let engine = WorkflowEngine(calendars: calendarSet, authority: authority)
            let (record, details, event) = try engine.create(kind: kind, fields: fields, by: actor, today: today, parent: parent)
            let outcome: CreateOutcome
            do {
                outcome = try await insert(
                    record, details, event, kind: kind, calendarVersion: version, key: idempotencyKey, contentHash: contentHash, actor: actor,
                    credential: credential, accessCode: accessCode)
            } catch let error as PostgresError where error.sqlState == SQLState.uniqueViolation && error.constraint == "idempotency_keys_pkey" {
                continue  // the same key, created concurrently: the next attempt replays it
            } catch let error as PostgresError where error.sqlState == SQLState.foreignKeyViolation && error.constraint == "requests_parent_ref_fkey"
            {
                throw WorkflowError.notFound("parent=\(details.parent ?? ""): no such request")
            } catch let error as PostgresError where error.sqlState == SQLState.uniqueViolation && error.constraint == "requests_ref_key" {
                // The number was taken already (a reference sequence set back by hand): the next
                // attempt takes the next number.
                referenceTaken = true
                continue
            } catch let error as PostgresError where error.sqlState == SQLState.uniqueViolation && error.constraint == "requests_ico_ref" {
                let icoRef = details.icoRef ?? ""
                let existing = try await pool.query(
                    "SELECT ref FROM requests WHERE kind = 'ico' AND upper(btrim(ico_ref)) = upper(btrim(\(icoRef)::text))"
                ).first?.decode(String.self, "ref")
                throw WorkflowError.conflict("an ICO case with ico_ref=\(icoRef) exists already\(existing.map { ": \($0)" } ?? "")")
            } catch let error as PostgresError where error.isIntegrityOrDataError {
                throw WorkflowError.badArgument("the request could not be stored: \(error.ruleBroken)")
            }
            switch outcome {
            case .created(var result):
                result.requestedLate = details.requestedLate
                return result
            case .calendarChanged: continue
            case .revoked: throw WorkflowError.revoked(Credential.revokedMessage)
            case .replay(let hash, let result):
                guard hash == contentHash else {
                    throw WorkflowError.idempotencyMismatch(
                        "idempotency key '\(idempotencyKey ?? "")' was used for a different request (\(result.ref))")
                }
                return result
            }
        }
        if referenceTaken {
            throw WorkflowError.conflict(
                "the request could not be created: the next \(kind.referencePrefix) references of its year are taken already (was a reference sequence set back?)"
            )
        }
        throw WorkflowError.busy("the request could not be created: too much concurrent change; retry")
    }

    /// What an idempotency key remembers of a CREATE: its kind and fields in any order, each
    /// length-prefixed (`3:foi`), so no value can pass for a field boundary (a requester
    /// `"Alice\nsubject=Bees"` is not `requester=Alice subject=Bees`).
    static func contentHash(kind: RequestKind, fields: [Field]) -> String {
        func encoded(_ text: String) -> String { "\(text.utf8.count):\(text)" }
        let parts = fields.map { encoded($0.key) + encoded($0.value) }.sorted()
        return SHA256.hex(encoded(kind.rawValue) + parts.joined())
    }

    /// What a new review or ICO case needs to know of the request it names.
    private func parentFacts(ref: String, scope: String?) async throws -> ParentFacts? {
        guard
            let row = try await pool.query(
                "SELECT kind, state, responded_on FROM requests r WHERE ref = \(ref) AND foiflow_sees(\(scope)::text, r.team)"
            ).first
        else { return nil }
        return ParentFacts(
            kind: try row.decode(RequestKind.self, "kind"), state: try row.decode(RequestState.self, "state"),
            respondedOn: try row.decode(CivilDate?.self, "responded_on"))
    }

    private enum CreateOutcome {
        case created(ChangeResult)
        case replay(hash: String, ChangeResult)
        case calendarChanged
        case revoked
    }

    private func insert(
        _ record: RequestRecord, _ details: RequestDetails, _ event: EventDraft, kind: RequestKind,
        calendarVersion: Int, key: String?, contentHash: String, actor: Actor, credential: Credential?, accessCode: String
    ) async throws -> CreateOutcome {
        let accessHash = AccessCode.hash(accessCode).map(PostgresBytes.init)
        let clock = JSONText.clock(record.clock)
        // Split here rather than by the history's trigger (EventPrivacy says why).
        let split = await privacy.current()?.split(event.fields)
        let fields = split?.kept ?? JSONText.fields(event.fields)
        let year = record.received.year
        // The acknowledgement, written with the request; its reference is filled in by the statement.
        let letter =
            kind.writesToRequester
            ? letters.with(unit: try await unit.current()).acknowledgement(
                kind: kind, record: record, details: details, accessCode: accessCode) : nil
        let slot = LetterWriter.referenceSlot
        let row = try await pool.query(
            """
            WITH cred AS (
                SELECT \(credential?.userID)::bigint IS NULL OR EXISTS (
                    SELECT 1 FROM users WHERE id = \(credential?.userID)::bigint AND token_hash = \(credential?.tokenBytes)
                      AND disabled_at IS NULL) AS ok
            ),
            cal AS (SELECT foiflow_calendar_is(\(calendarVersion)) AS ok),
            prior AS (
                SELECT k.content_hash, r.ref, e.due
                FROM idempotency_keys k JOIN requests r ON r.id = k.request_id
                JOIN request_events e ON e.request_id = r.id AND e.seq = 1
                WHERE \(key)::text IS NOT NULL AND k.login = \(actor.login) AND k.key = \(key)::text
            ),
            counter AS (
                SELECT foiflow_next_reference(\(kind.rawValue), \(year)) AS last
                WHERE (SELECT ok FROM cred) AND (SELECT ok FROM cal) AND NOT EXISTS (SELECT 1 FROM prior)
            ),
            req AS (
                INSERT INTO requests (ref, kind, state, version, received, calendar, due, max_due, clock, team,
                                      requester, email, address, phone, contact, subject, parent_ref, ico_ref, requested_late,
                                      created_by, access_hash)
                SELECT foiflow_reference(\(kind.referencePrefix), \(year), last), \(kind.rawValue),
                       \(record.state.rawValue), \(record.version), \(record.received), \(record.calendar.rawValue),
                       \(record.due), \(record.maxDue), \(clock)::jsonb, \(details.team), \(details.personal.requester),
                       \(details.personal.email), \(details.personal.address), \(details.personal.phone), \(details.contact?.rawValue),
                       \(details.personal.subject),
                       \(details.parent), \(details.icoRef), \(details.requestedLate), \(actor.login), \(accessHash)
                FROM counter
                RETURNING id, ref
            ),
            ev AS (
                INSERT INTO request_events (request_id, seq, actor, action, from_state, to_state, due, fields, effective_on)
                SELECT id, \(record.version), \(actor.login), \(event.action.rawValue), NULL, \(event.to.rawValue),
                       \(event.due), \(fields)::jsonb, \(event.effectiveOn)
                FROM req
            ),
            notes AS (
                INSERT INTO request_event_notes (request_id, seq, fields)
                SELECT id, \(record.version), \(split?.notes)::jsonb FROM req WHERE \(split?.notes)::jsonb IS NOT NULL
            ),
            letter AS (
                INSERT INTO letters (request_id, template, channel, status, recipient, subject, body, task_note)
                SELECT id, \(letter?.type.rawValue), \(letter?.channel.rawValue), \(letter?.status), \(letter?.recipient),
                       replace(\(letter?.subject)::text, \(slot)::text, ref), replace(\(letter?.body)::text, \(slot)::text, ref),
                       \(letter?.taskNote)
                FROM req WHERE \(letter != nil)
                RETURNING id, request_id, status, recipient, subject, body
            ),
            mail AS (
                INSERT INTO notifications (request_id, level, recipient, email, subject, body, letter_id)
                SELECT request_id, 'letter', \(details.personal.requester), recipient, subject, body, id FROM letter WHERE status = 'queued'
            ),
            idem AS (
                INSERT INTO idempotency_keys (login, key, content_hash, request_id)
                SELECT \(actor.login), \(key)::text, \(contentHash), id FROM req WHERE \(key)::text IS NOT NULL
            )
            SELECT (SELECT ok FROM cred) AS credential_ok, (SELECT ok FROM cal) AS calendar_ok, (SELECT ref FROM req) AS ref,
                   (SELECT content_hash FROM prior) AS prior_hash, (SELECT ref FROM prior) AS prior_ref,
                   (SELECT due FROM prior) AS prior_due
            """
        ).first
        guard let row else { throw WorkflowError.inconsistent("the database returned no result") }
        guard try row.decode(Bool.self, "credential_ok") else { return .revoked }
        if let priorRef = try row.decode(String?.self, "prior_ref") {
            return .replay(
                hash: try row.decode(String.self, "prior_hash"),
                ChangeResult(ref: priorRef, state: .received, due: try row.decode(CivilDate?.self, "prior_due"), version: 1, replayed: true))
        }
        guard try row.decode(Bool.self, "calendar_ok") else { return .calendarChanged }
        guard let ref = try row.decode(String?.self, "ref") else { throw WorkflowError.inconsistent("the request was not created") }
        var result = ChangeResult(ref: ref, state: .received, due: record.due, version: 1, replayed: false)
        result.accessCode = accessCode
        if let note = letter?.missingNote { result.letterHeld = "the acknowledgement is held as a task (\(note))" }
        return .created(result)
    }

    // MARK: Act

    /// Applies `action` to the request `ref` (`ACT`). With `expectedVersion`, a request
    /// that moved on is a conflict; without it, a lost race is retried on the new state.
    ///
    /// A request this process holds (`heldRows`: read or written here before) is decided on
    /// as held and written in one round trip, guarded by the version, policy and lead officer
    /// it was decided with. If that write misses, or the held row cannot take the action, the
    /// request is read and decided again: only the database's current row can make an
    /// action fail (a stale held version is never reported as a conflict).
    public func act(
        ref: String, action: Action, fields: [Field], expectedVersion: Int? = nil, by actor: Actor, credential: Credential? = nil,
        today: CivilDate
    ) async throws -> ChangeResult {
        // Refuse what no state could allow before reading anything.
        try Permissions.require(actor.role, .act(action))
        let groundsTable = try await grounds.table()
        if let heldRows, let held = heldRows[ref], held.row.isVisible(to: actor.scope) {
            let (calendarVersion, calendarSet) = try await calendars.versioned(forceCheck: false)
            let engine = WorkflowEngine(calendars: calendarSet, authority: authority, grounds: groundsTable)
            if let result = try await decideAndWrite(
                ref: ref, on: held.row, policy: held.policy, lead: held.lead, action: action, fields: fields, expectedVersion: expectedVersion,
                by: actor, credential: credential,
                today: today, engine: engine, calendarVersion: calendarVersion, guarded: true)
            {
                return result
            }
            heldRows.forget(ref)
        }
        for attempt in 1...RequestStore.attempts {
            let (calendarVersion, calendarSet) = try await calendars.versioned(forceCheck: attempt > 1)
            let engine = WorkflowEngine(calendars: calendarSet, authority: authority, grounds: groundsTable)
            // Read, decide (pure), write: two round trips, each sent from this thread.
            guard let (row, policy, lead) = try await RequestStore.loadForAction(pool, ref: ref, scope: actor.scope) else {
                throw WorkflowError.notFound("no request \(ref)")
            }
            heldRows?.keep(row, for: ref)
            heldRows?.saw(policy: policy, lead: lead, of: row.assignee)
            if let result = try await decideAndWrite(
                ref: ref, on: row, policy: policy, lead: lead, action: action, fields: fields, expectedVersion: expectedVersion, by: actor,
                credential: credential,
                today: today, engine: engine, calendarVersion: calendarVersion, guarded: false)
            {
                return result
            }
            if expectedVersion == nil { await RequestStore.backOff(attempt) }
        }
        // CONFLICT is for expect= only (PROTOCOL.md): a request that kept changing under us is BUSY.
        throw WorkflowError.busy("\(ref) is changing too fast; retry")
    }

    /// Decides `action` on `row`, under the sign-off `policy` (its stored text) and with `lead`
    /// as the officer letters name, and writes it. `nil`: the write missed (the request moved on,
    /// or the calendar changed), and the caller reads and decides again.
    ///
    /// `guarded`: `row` is held from before, so nothing it says is final. Any refusal the
    /// decision makes on it, and any miss of its write, answers `nil` instead of an error;
    /// the write is also guarded by the policy and lead officer the decision used.
    private func decideAndWrite(
        ref: String, on row: HeldRow, policy: String?, lead: LeadContact, action: Action, fields: [Field], expectedVersion: Int?, by actor: Actor,
        credential: Credential?,
        today: CivilDate, engine: WorkflowEngine, calendarVersion: Int, guarded: Bool
    ) async throws -> ChangeResult? {
        let record: RequestRecord, next: RequestRecord, event: EventDraft
        // `amend`: the details after it (the row's otherwise).
        var details = row.details
        // An acknowledgement sets the date the kind's published commitment gives, if any.
        var commitment: Commitment?
        if action == .acknowledge,
            let stored = try await pool.query(
                "SELECT c.unit, c.amount, c.text FROM commitments c JOIN requests r ON r.kind = c.kind WHERE r.id = \(row.id)"
            ).first
        {
            commitment = try CommitmentStore.commitment(from: stored)
        }
        do {
            record = try row.record()
            (next, event) = try engine.act(
                action, fields: fields, by: actor, today: today, on: record, expectedVersion: expectedVersion,
                requireApproval: PolicyStore.outcomes(policy), commitment: commitment)
            if action == .amend { details = try WorkflowEngine.amended(row.details, with: event.fields) }
        } catch {
            if guarded { return nil }
            throw error
        }
        if action == .contacted, let text = event.fields.first(where: { $0.key == "letter" })?.value, let letterID = Int(text) {
            let status = try await pool.query(
                "SELECT status FROM letters WHERE id = \(letterID) AND request_id = \(row.id)"
            ).first?.decode(String.self, "status")
            guard let status else { throw WorkflowError.notFound("no letter \(letterID) of \(ref)") }
            guard status == "task" else { throw WorkflowError.invalidTransition("letter \(letterID) is \(status), not a task") }
        }
        if action == .aggregate {
            let refs = (event.fields.first { $0.key == "with" }?.value ?? "").split(separator: ",").map(String.init)
            try await checkAggregation(id: row.id, ref: ref, with: refs, scope: actor.scope)
        }
        // An s.12 refusal rests on an estimate (with its aggregated requests) above the limit,
        // and its letter says what it is.
        var costing: (hours: String, amount: String, limit: String)?
        if action == .respond, event.grounds.contains(where: { $0.ground.code == "s12" }) {
            let report = try await cost(ref: ref, scope: actor.scope)
            guard report.exceeded else {
                throw WorkflowError.badArgument(
                    "a refusal under s12 needs an estimate above the limit: COST \(ref) gives £\(CostLimit.pounds(quarters: report.quarters)) against £\(report.limit) (ACT \(ref) estimate activity=... hours=...)"
                )
            }
            costing = (CostLimit.hours(quarters: report.quarters), CostLimit.pounds(quarters: report.quarters), String(report.limit))
        }
        // A response published on the disclosure log appears after the authority's delay.
        var publication: Publication?
        if action == .respond, event.fields.contains(where: { $0.key == "publish" && $0.value == "yes" }),
            let title = event.fields.first(where: { $0.key == "publish_title" })?.value, let answered = next.respondedOn
        {
            let after = try await PolicyStore(pool: pool).publishAfter()
            let on: CivilDate
            do { on = try engine.calendars[next.calendar].addWorkingDays(answered, after) } catch {
                throw WorkflowError.badArgument("the disclosure log's date: \(error)")
            }
            publication = Publication(title: title, on: on)
        }
        // An answer not published, or reopened, leaves the log.
        let unpublish =
            action == .reopen || (action == .respond && event.fields.contains { $0.key == "publish" && $0.value == "no" })
        // The unit's details are read (at most once a second) only for an action that writes a letter.
        let writer = LetterWriter.letterType(for: action, next: next) == nil ? letters : letters.with(unit: try await unit.current())
        let letter = writer.forAction(
            action, ref: ref, record: next, fields: event.fields, details: row.details, lead: lead, cost: costing)
        if action == .link || action == .unlink, let target = event.trail?.target {
            try await checkLink(
                from: row.id, ref: ref, to: target, type: event.fields.first { $0.key == "type" }?.value ?? "", adding: action == .link,
                scope: actor.scope)
        }
        let written = try await RequestStore.write(
            pool, id: row.id, ref: ref, from: record, to: next, event: event, actor: actor.login,
            calendarVersion: calendarVersion, credential: credential, letter: letter, requester: row.details.personal.requester,
            requestTeam: row.details.team, decidedWith: guarded ? (policy, lead) : nil, amended: action == .amend ? details : nil,
            publication: publication, unpublish: unpublish)
        switch written {
        case .done(let newLead, let newPolicy):
            if let heldRows {
                heldRows.keep(HeldRow(id: row.id, record: next, details: details), for: ref)
                heldRows.saw(policy: newPolicy, lead: newLead, of: next.assignee)
                if let trail = event.trail, let other = trail.target ?? next.parent { heldRows.forget(other) }
            }
            var result = ChangeResult(ref: ref, state: next.state, due: next.due, version: next.version, replayed: false)
            if let note = letter?.missingNote {
                result.letterHeld = "the \(letter?.type.rawValue ?? "") letter is held as a task (\(note))"
            }
            return result
        case .revoked:
            throw WorkflowError.revoked(Credential.revokedMessage)
        case .calendarChanged:
            return nil
        case .assigneeRefused(let why):
            throw WorkflowError.badArgument(why)
        case .versionMoved:
            if guarded { return nil }
            if let expectedVersion {
                throw WorkflowError.conflict("expected version \(expectedVersion), but the request has changed since")
            }
            return nil
        }
    }

    /// A link's other end must be a request the actor may see, not this one, and the link
    /// must be there to take away, or not yet there to add.
    private func checkLink(from id: Int, ref: String, to target: String, type: String, adding: Bool, scope: String?) async throws {
        guard
            let row = try await pool.query(
                """
                SELECT t.id, EXISTS (
                    SELECT 1 FROM request_links l
                    WHERE l.low_id = least(\(id)::bigint, t.id) AND l.high_id = greatest(\(id)::bigint, t.id) AND l.type = \(type)
                ) AS linked
                FROM requests t WHERE t.ref = \(target) AND foiflow_sees(\(scope)::text, t.team)
                """
            ).first
        else { throw WorkflowError.notFound("to=\(target): no such request") }
        guard try row.decode(Int.self, "id") != id else { throw WorkflowError.badArgument("to=\(target) is this request; link it to another") }
        let linked = try row.decode(Bool.self, "linked")
        if adding && linked { throw WorkflowError.invalidTransition("\(ref) and \(target) are already linked as \(type)") }
        if !adding && !linked { throw WorkflowError.invalidTransition("\(ref) and \(target) are not linked as \(type)") }
    }

    enum WriteOutcome {
        /// Written; with the lead officer (the new assignee's contact) and the sign-off policy
        /// as the statement saw them, for the row this process now holds.
        case done(lead: LeadContact, policy: String?)
        case calendarChanged
        case versionMoved
        case revoked
        /// `assign to=` named someone who may not lead this request (why).
        case assigneeRefused(String)
    }

    /// The roles that may lead a request, as an SQL list (`Role.leads`).
    static let leadRolesSQL = Role.leads.map { "'\($0.rawValue)'" }.joined(separator: ", ")

    /// What the statement saw of the assignee (its `u` join), for the reason an assignment was refused.
    static let assigneeColumns = ", u.role AS assignee_role, u.team AS assignee_team, u.disabled_at IS NOT NULL AS assignee_disabled"

    /// One statement: the row (guarded by its version and the calendar) and its event; the
    /// grounds it cites; its letter; and the event it leaves on its parent (a review's outcome,
    /// an ICO case's decision), which moves the parent's version on by one.
    ///
    /// `decidedWith`: the sign-off policy text and lead officer a held row decided with; the
    /// write then also needs both unchanged (`versionMoved` when not). `last_contact` only
    /// moves forward, so a contact recorded since the row was read is never undone.
    static func write(
        _ pool: PostgresPool, id: Int, ref: String, from record: RequestRecord, to next: RequestRecord, event: EventDraft,
        actor: String, calendarVersion: Int, credential: Credential? = nil, letter: LetterDraft? = nil, requester: String? = nil,
        requestTeam: String? = nil, decidedWith: (policy: String?, lead: LeadContact)? = nil, amended: RequestDetails? = nil,
        publication: Publication? = nil, unpublish: Bool = false
    ) async throws -> WriteOutcome {
        // `contacted letter=ID` closes that task of this request.
        let doneLetter = event.action == .contacted ? event.fields.first { $0.key == "letter" }.flatMap { Int($0.value) } : nil
        let clock = JSONText.clock(next.clock)
        let fields = JSONText.fields(event.fields)
        let groundCodes = event.grounds.map(\.ground.code), groundCitations = event.grounds.map(\.cited)
        let isResponse = event.action == .respond, isExtension = event.action == .extend
        let trail = event.trail
        let trailFields = JSONText.fields([Field("ref", ref)] + (trail?.fields ?? []))
        // The statement is the change and its event, plus only the parts this action needs
        // (each part's text constant, so each combination is prepared once per connection):
        // a statement that carried every part for every action cost about 15% more in the
        // database for a plain assign.
        let heldPart: PostgresQuery =
            decidedWith.map { decided in
                """
                ,
                held AS (
                    SELECT (SELECT value FROM policy WHERE key = 'require-approval') IS NOT DISTINCT FROM \(decided.policy)::text
                        AND NOT EXISTS (
                            SELECT 1 FROM users WHERE login = \(record.assignee)::text
                              AND (name, email, phone) IS DISTINCT FROM
                                  (\(decided.lead.name)::text, \(decided.lead.email)::text, \(decided.lead.phone)::text)) AS ok
                )
                """
            } ?? ""
        let letterPart: PostgresQuery =
            letter.map { letter in
                """
                ,
                letter AS (
                    INSERT INTO letters (request_id, template, channel, status, recipient, subject, body, task_note)
                    SELECT id, \(letter.type.rawValue), \(letter.channel.rawValue), \(letter.status), \(letter.recipient),
                           \(letter.subject), \(letter.body), \(letter.taskNote)
                    FROM upd
                    RETURNING id, request_id, status, recipient, subject, body
                ),
                mail AS (
                    INSERT INTO notifications (request_id, level, recipient, email, subject, body, letter_id)
                    SELECT request_id, 'letter', \(requester), recipient, subject, body, id FROM letter WHERE status = 'queued'
                )
                """
            } ?? ""
        let donePart: PostgresQuery =
            doneLetter.map { doneLetter in
                """
                ,
                done AS (
                    UPDATE letters SET status = 'done', sent_at = now()
                    WHERE id = \(doneLetter) AND request_id = (SELECT id FROM upd) AND status = 'task'
                )
                """
            } ?? ""
        // A response replaces the grounds of an earlier one (a reopened request answered
        // again); an extension's stay. Each statement below touches other rows.
        let groundsPart: PostgresQuery =
            isResponse || !groundCodes.isEmpty
            ? """
            ,
            grounds_dropped AS (
                DELETE FROM request_grounds
                WHERE \(isResponse) AND request_id = (SELECT id FROM upd) AND NOT in_extension AND ground <> ALL(\(groundCodes)::text[])
            ),
            grounds_unmarked AS (
                UPDATE request_grounds SET in_response = false
                WHERE \(isResponse) AND request_id = (SELECT id FROM upd) AND in_extension AND ground <> ALL(\(groundCodes)::text[])
            ),
            grounds AS (
                INSERT INTO request_grounds (request_id, ground, cited, in_response, in_extension)
                SELECT upd.id, g.ground, g.cited, \(isResponse), \(isExtension)
                FROM upd, unnest(\(groundCodes)::text[], \(groundCitations)::text[]) AS g(ground, cited)
                ON CONFLICT (request_id, ground) DO UPDATE
                SET cited = excluded.cited, in_response = request_grounds.in_response OR excluded.in_response,
                    in_extension = request_grounds.in_extension OR excluded.in_extension
            )
            """ : ""
        // An assignment names an active officer or manager who may see the request (of its team
        // or of none); the write reads them, so a user disabled or moved meanwhile is never assigned.
        let isAssign = event.action == .assign
        let assigneeGuard: PostgresQuery =
            isAssign
            ? """
            AND EXISTS (SELECT 1 FROM users a WHERE a.login = \(next.assignee)::text AND a.disabled_at IS NULL
                        AND a.role IN (\(unescaped: RequestStore.leadRolesSQL)) AND foiflow_sees(a.team, requests.team))
            """ : ""
        let parentPart: PostgresQuery =
            trail.map { trail in
                """
                ,
                parent AS (
                    UPDATE requests SET version = version + 1, updated_at = now()
                    WHERE ref = \(trail.target ?? next.parent)::text AND EXISTS (SELECT 1 FROM upd)
                    RETURNING id, version, state, due
                ),
                parent_event AS (
                    INSERT INTO request_events (request_id, seq, actor, action, from_state, to_state, due, fields, effective_on)
                    SELECT id, version, \(actor), \(trail.action.rawValue), state, state, due, \(trailFields)::jsonb,
                           coalesce(\(event.effectiveOn)::date, foiflow_today())
                    FROM parent
                )
                """
            } ?? ""
        // A link or its removal: the pair's row, guarded in the update (a link made or taken
        // away meanwhile makes the write miss, and the action is decided again).
        let linking = event.action == .link || event.action == .unlink
        let linkType = event.fields.first { $0.key == "type" }?.value
        let linkTarget = linking ? trail?.target : nil
        let linkExists: PostgresQuery = """
            EXISTS (SELECT 1 FROM request_links l JOIN requests t ON t.ref = \(linkTarget)::text
                    WHERE l.low_id = least(requests.id, t.id) AND l.high_id = greatest(requests.id, t.id) AND l.type = \(linkType)::text)
            """
        // `amend`: the requester's details, the subject and the team, as corrected.
        let amendPart: PostgresQuery =
            amended.map { details in
                """
                requester = \(details.personal.requester), email = \(details.personal.email), address = \(details.personal.address),
                phone = \(details.personal.phone), contact = \(details.contact?.rawValue), subject = \(details.personal.subject),
                team = \(details.team),
                """
            } ?? ""
        // The disclosure log: an entry written or replaced with the response that publishes it,
        // taken away by one that does not, or by a reopening.
        let publishPart: PostgresQuery =
            publication.map { publication in
                """
                ,
                published AS (
                    INSERT INTO disclosure_log (request_id, ref, kind, answered_on, publish_on, title, outcome, grounds)
                    SELECT id, \(ref), \(next.kind.rawValue), \(next.respondedOn), \(publication.on), \(publication.title),
                           \(next.outcome?.rawValue ?? ""), \(next.exemptions)
                    FROM upd
                    ON CONFLICT (request_id) DO UPDATE
                    SET answered_on = excluded.answered_on, publish_on = excluded.publish_on, title = excluded.title,
                        outcome = excluded.outcome, grounds = excluded.grounds
                )
                """
            }
            ?? (unpublish
                ? """
                ,
                unpublished AS (DELETE FROM disclosure_log WHERE request_id = (SELECT id FROM upd))
                """ : "")
        let linkGuard: PostgresQuery = linking ? (event.action == .link ? "AND NOT \(linkExists)" : "AND \(linkExists)") : ""
        let linkPart: PostgresQuery =
            !linking
            ? ""
            : event.action == .link
                ? """
                ,
                link_row AS (
                    INSERT INTO request_links (low_id, high_id, type, created_by)
                    SELECT least(upd.id, t.id), greatest(upd.id, t.id), \(linkType)::text, \(actor)
                    FROM upd JOIN requests t ON t.ref = \(linkTarget)::text
                    ON CONFLICT DO NOTHING
                )
                """
                : """
                ,
                link_row AS (
                    DELETE FROM request_links l USING upd, requests t
                    WHERE t.ref = \(linkTarget)::text AND l.low_id = least(upd.id, t.id) AND l.high_id = greatest(upd.id, t.id)
                      AND l.type = \(linkType)::text
                )
                """
        do {
            let row = try await pool.query(
                """
                WITH cred AS (
                    SELECT \(credential?.userID)::bigint IS NULL OR EXISTS (
                        SELECT 1 FROM users WHERE id = \(credential?.userID)::bigint AND token_hash = \(credential?.tokenBytes)
                          AND disabled_at IS NULL) AS ok
                ),
                cal AS (SELECT foiflow_calendar_is(\(calendarVersion)) AS ok)\(heldPart),
                upd AS (
                    UPDATE requests
                    SET state = \(next.state.rawValue), version = version + 1, due = \(next.due), max_due = \(next.maxDue),
                        clock = \(clock)::jsonb, assignee = \(next.assignee), outcome = \(next.outcome?.rawValue),
                        exemptions = \(next.exemptions), responded_on = \(next.respondedOn), appeal_by = \(next.appealBy),
                        approved_version = \(next.approvedVersion), proposed_outcome = \(next.proposedOutcome?.rawValue),
                        proposed_exemptions = \(next.proposedExemptions), hold_since = \(next.hold?.since), hold_until = \(next.hold?.until),
                        transferred_to = \(next.transferredTo), last_contact = greatest(last_contact, \(next.lastContact)::date),
                        \(amendPart) updated_at = now()
                    WHERE id = \(id) AND version = \(record.version) AND (SELECT ok FROM cred) AND (SELECT ok FROM cal)
                      \(unescaped: decidedWith == nil ? "" : "AND (SELECT ok FROM held)")
                      \(assigneeGuard)
                      \(linkGuard)
                    RETURNING id, version, state, due
                ),
                ev AS (
                    INSERT INTO request_events (request_id, seq, actor, action, from_state, to_state, due, fields, effective_on)
                    SELECT id, version, \(actor), \(event.action.rawValue), \(event.from?.rawValue), state, due, \(fields)::jsonb,
                           coalesce(\(event.effectiveOn)::date, foiflow_today())
                    FROM upd
                )\(letterPart)\(donePart)\(groundsPart)\(parentPart)\(linkPart)\(publishPart)
                SELECT (SELECT ok FROM cred) AS credential_ok, (SELECT ok FROM cal) AS calendar_ok, (SELECT version FROM upd) AS version,
                       u.name AS lead_name, u.email AS lead_email, u.phone AS lead_phone,
                       (SELECT value FROM policy WHERE key = 'require-approval') AS require_approval
                       \(unescaped: isAssign ? RequestStore.assigneeColumns : "")
                FROM (SELECT 1) AS one LEFT JOIN users u ON u.login = \(next.assignee)::text
                """
            ).first
            guard let row else { throw WorkflowError.inconsistent("the database returned no result") }
            guard try row.decode(Bool.self, "credential_ok") else { return .revoked }
            guard try row.decode(Bool.self, "calendar_ok") else { return .calendarChanged }
            guard try row.decode(Int?.self, "version") != nil else {
                if isAssign, let login = next.assignee,
                    let problem = WorkflowEngine.assigneeProblem(
                        login, role: try row.decode(String?.self, "assignee_role").flatMap(Role.init(name:)),
                        team: try row.decode(String?.self, "assignee_team"), disabled: try row.decode(Bool?.self, "assignee_disabled") ?? false,
                        requestTeam: requestTeam)
                {
                    return .assigneeRefused(problem)
                }
                return .versionMoved
            }
            return .done(lead: try RequestStore.lead(from: row), policy: try row.decode(String?.self, "require_approval"))
        } catch let error as PostgresError where error.sqlState == SQLState.foreignKeyViolation && error.constraint == "requests_assignee_fkey" {
            throw WorkflowError.badArgument("no user '\(next.assignee ?? "")' to assign to")
        }
    }

    /// The request's id, workflow record, requester details and lead officer (its assignee's
    /// contact), for an action and the letter it writes, with the sign-off policy: one read.
    static func loadForAction(
        _ pool: PostgresPool, ref: String, scope: String? = nil
    ) async throws -> (row: HeldRow, policy: String?, lead: LeadContact)? {
        guard
            let row = try await pool.query(
                """
                SELECT \(unescaped: RequestStore.qualifiedRecordColumns), r.requester, r.email, r.address, r.phone, r.contact, r.team, r.subject,
                       \(unescaped: RequestStore.leadAndPolicyColumns)
                FROM requests r LEFT JOIN users u ON u.login = r.assignee
                WHERE r.ref = \(ref) AND foiflow_sees(\(scope)::text, r.team)
                """
            ).first
        else { return nil }
        return (try RequestStore.heldRow(from: row), try row.decode(String?.self, "require_approval"), try RequestStore.lead(from: row))
    }

    /// The lead officer and the sign-off policy, read with a request an action is decided on
    /// (`u`: its assignee, joined).
    static let leadAndPolicyColumns = """
        u.name AS lead_name, u.email AS lead_email, u.phone AS lead_phone,
        (SELECT value FROM policy WHERE key = 'require-approval') AS require_approval
        """

    /// A held row from a row with `recordColumns` and the requester's details; its clock
    /// stays text until an action decodes it.
    static func heldRow(from row: PostgresRow) throws -> HeldRow {
        var details = try RequestStore.details(from: row)
        details.personal.subject = try row.decode(String?.self, "subject")
        details.team = try row.decode(String?.self, "team")
        details.parent = try row.decode(String?.self, "parent_ref")
        return HeldRow(
            id: try row.decode(Int.self, "id"), recordWithoutClock: try RequestStore.record(from: row, decodingClock: false),
            clockJSON: try row.decode(String.self, "clock"), details: details)
    }

    /// Who a letter goes to and who it names as leading, from a row with the columns
    /// `requester, email, address, phone, contact` and `lead_name, lead_email, lead_phone`.
    static func recipient(from row: PostgresRow) throws -> (details: RequestDetails, lead: LeadContact) {
        (try details(from: row), try lead(from: row))
    }

    /// The requester's details from a row with `requester, email, address, phone, contact`.
    static func details(from row: PostgresRow) throws -> RequestDetails {
        RequestDetails(
            requester: try row.decode(String.self, "requester"), email: try row.decode(String?.self, "email"),
            address: try row.decode(String?.self, "address"), phone: try row.decode(String?.self, "phone"),
            contact: try row.decode(ContactMethod?.self, "contact"))
    }

    /// The lead officer from a row with `lead_name, lead_email, lead_phone`.
    static func lead(from row: PostgresRow) throws -> LeadContact {
        LeadContact(
            name: try row.decode(String?.self, "lead_name"), email: try row.decode(String?.self, "lead_email"),
            phone: try row.decode(String?.self, "lead_phone"))
    }

    /// The request's id and workflow record.
    static func load(_ pool: PostgresPool, ref: String, scope: String? = nil) async throws -> (Int, RequestRecord)? {
        guard
            let row = try await pool.query(
                "SELECT \(unescaped: RequestStore.recordColumns) FROM requests r WHERE ref = \(ref) AND foiflow_sees(\(scope)::text, r.team)"
            ).first
        else {
            return nil
        }
        return (try row.decode(Int.self, "id"), try RequestStore.record(from: row))
    }

    /// The columns a workflow record is read from (`record(from:)`); the clock as its text.
    static let recordColumnNames = [
        "id", "kind", "state", "version", "received", "calendar", "due", "max_due", "clock", "assignee", "outcome", "exemptions",
        "responded_on", "transferred_to", "last_contact", "parent_ref", "appeal_by", "approved_version", "proposed_outcome",
        "proposed_exemptions", "hold_since", "hold_until", "anonymised_on",
    ]

    /// The columns a view is read from (`view(from:)`).
    static let viewColumnNames = [
        "ref", "kind", "state", "version", "received", "calendar", "due", "max_due", "assignee", "team", "requester", "subject", "email",
        "address", "phone", "contact", "parent_ref", "outcome", "exemptions", "responded_on", "transferred_to", "last_contact", "ico_ref",
        "appeal_by", "requested_late", "legacy_ref", "hold_since", "hold_until", "anonymised_on",
    ]

    /// A select list of `names`, each qualified with `table.` when given (the clock as text).
    static func selectList(_ names: [String], table: String? = nil) -> String {
        names.map { name in
            let column = table.map { "\($0).\(name)" } ?? name
            return name == "clock" ? "\(column)::text AS clock" : column
        }.joined(separator: ", ")
    }

    static let recordColumns = selectList(recordColumnNames)
    static let qualifiedRecordColumns = selectList(recordColumnNames, table: "r")
    static let viewColumns = selectList(viewColumnNames)
    static let qualifiedViewColumns = selectList(viewColumnNames, table: "r")

    /// The workflow record of a row with `recordColumns`. Without `decodingClock`, its clock is
    /// a placeholder (for a held row, which keeps the clock's text).
    static func record(from row: PostgresRow, decodingClock: Bool = true) throws -> RequestRecord {
        let kind = try row.decode(RequestKind.self, "kind"), state = try row.decode(RequestState.self, "state")
        let calendar = try row.decode(CalendarID.self, "calendar")
        let received = try row.decode(CivilDate.self, "received")
        let clock =
            decodingClock
            ? try JSONDecoder().decode(StatutoryClock.self, from: Data(try row.decode(String.self, "clock").utf8))
            : StatutoryClock(received: received)
        return RequestRecord(
            kind: kind, state: state, version: try row.decode(Int.self, "version"), received: received,
            calendar: calendar, clock: clock, due: try row.decode(CivilDate?.self, "due"), maxDue: try row.decode(CivilDate?.self, "max_due"),
            assignee: try row.decode(String?.self, "assignee"), outcome: try row.decode(Outcome?.self, "outcome"),
            exemptions: try row.decode(String?.self, "exemptions"), respondedOn: try row.decode(CivilDate?.self, "responded_on"),
            transferredTo: try row.decode(String?.self, "transferred_to"), lastContact: try row.decode(CivilDate?.self, "last_contact"),
            parent: try row.decode(String?.self, "parent_ref"), appealBy: try row.decode(CivilDate?.self, "appeal_by"),
            approvedVersion: try row.decode(Int?.self, "approved_version"),
            proposedOutcome: try row.decode(Outcome?.self, "proposed_outcome"),
            proposedExemptions: try row.decode(String?.self, "proposed_exemptions"),
            hold: try row.decode(CivilDate?.self, "hold_since").map { LegalHold(since: $0, until: try row.decode(CivilDate?.self, "hold_until")) },
            anonymisedOn: try row.decode(CivilDate?.self, "anonymised_on"))
    }

    // MARK: Read

    /// One request (`SHOW`), with `days_left` counted from `today`.
    /// `scope`: a team the reader is kept to (`Actor.scope`); another team's request is not found.
    public func show(ref: String, today: CivilDate, scope: String? = nil) async throws -> RequestView {
        let calendarSet = try await calendars.current()
        // A server holds what it shows (the columns an action needs besides the view's), so
        // the action that usually follows a SHOW takes one round trip.
        let row = try await pool.query(
            """
            SELECT \(unescaped: RequestStore.qualifiedViewColumns), c.unit AS commitment_unit, c.amount AS commitment_amount,
                   c.text AS commitment_text,
                   (SELECT string_agg(k.ref, ',' ORDER BY k.ref) FROM requests k WHERE k.parent_ref = r.ref AND k.kind = 'review') AS reviews,
                   (SELECT string_agg(k.ref, ',' ORDER BY k.ref) FROM requests k WHERE k.parent_ref = r.ref AND k.kind = 'ico') AS ico_cases,
                   r.id, r.clock::text AS clock, r.approved_version, r.proposed_outcome, r.proposed_exemptions,
                   ret.anonymise_on, ret.held,
                   (SELECT string_agg(o.ref || ':' || x.type, ',' ORDER BY o.ref, x.type)
                    FROM (SELECT l.high_id AS other, l.type FROM request_links l WHERE l.low_id = r.id
                          UNION ALL
                          SELECT l.low_id, l.type FROM request_links l WHERE l.high_id = r.id) x
                    JOIN requests o ON o.id = x.other
                    WHERE foiflow_sees(\(scope)::text, o.team)) AS links,
                   -- A repeat is by the same requester: none to look for without one.
                   (SELECT p.ref FROM requests p
                    WHERE r.requester_id IS NOT NULL AND p.ref = foiflow_possible_repeat(r.id)
                      AND foiflow_sees(\(scope)::text, p.team)) AS possible_repeat
            FROM requests r LEFT JOIN commitments c ON c.kind = r.kind
            -- A closed request: when the schedule will anonymise it, or why not (nothing is
            -- computed for an open one).
            LEFT JOIN LATERAL foiflow_retention_of(r.id, \(today)::date) ret ON true
            WHERE r.ref = \(ref) AND foiflow_sees(\(scope)::text, r.team)
            """
        ).first
        guard let row else { throw WorkflowError.notFound("no request \(ref)") }
        heldRows?.keep(try RequestStore.heldRow(from: row), for: ref)
        return try RequestStore.view(from: row, calendars: calendarSet, today: today)
    }

    /// A request's due date explained day by day (`EXPLAIN`): one read, then the same
    /// derivation that computed its `due`.
    public func explain(ref: String, today: CivilDate, scope: String? = nil) async throws -> ExplanationView {
        let calendarSet = try await calendars.current()
        let loaded = try await RequestStore.load(pool, ref: ref, scope: scope)
        guard let (_, record) = loaded else { throw WorkflowError.notFound("no request \(ref)") }
        let explanation = try WorkflowEngine(calendars: calendarSet, authority: authority).explain(record, today: today)
        return ExplanationView(ref: ref, kind: record.kind, calendar: record.calendar, explanation: explanation)
    }

    /// Requests by ref (`LIST`), filtered, a page at a time (`after` = the last ref seen).
    public func list(_ filter: RequestFilter, today: CivilDate, scope: String? = nil) async throws -> RequestPage {
        let limit = max(1, min(filter.limit, 1000))
        let calendarSet = try await calendars.current()
        let rows = try await pool.query(
            """
            SELECT \(unescaped: RequestStore.viewColumns) FROM requests r
            WHERE foiflow_sees(\(scope)::text, r.team)
              AND (\(filter.state?.rawValue)::text IS NULL OR state = \(filter.state?.rawValue))
              AND (\(filter.kind?.rawValue)::text IS NULL OR kind = \(filter.kind?.rawValue))
              AND (\(filter.assignee)::text IS NULL OR assignee = \(filter.assignee))
              AND (\(filter.team)::text IS NULL OR team = \(filter.team))
              AND (\(filter.after)::text IS NULL OR ref > \(filter.after))
            ORDER BY ref
            LIMIT \(limit + 1)
            """
        ).rows
        var views = try rows.map { try RequestStore.view(from: $0, calendars: calendarSet, today: today) }
        var next: String?
        if views.count > limit {
            views.removeLast(views.count - limit)
            next = views.last?.ref
        }
        return RequestPage(requests: views, next: next)
    }

    /// A request's events, oldest first (`HISTORY`).
    public func history(ref: String, scope: String? = nil) async throws -> [EventView] {
        let rows = try await pool.query(
            """
            SELECT e.seq, e.at, e.actor, e.action, e.from_state, e.to_state, e.due, foiflow_event_fields(e.fields, n.fields)::text AS fields
            FROM requests r LEFT JOIN request_events e ON e.request_id = r.id
                 LEFT JOIN request_event_notes n ON n.request_id = e.request_id AND n.seq = e.seq
            WHERE r.ref = \(ref) AND foiflow_sees(\(scope)::text, r.team) ORDER BY e.seq
            """
        ).rows
        guard !rows.isEmpty else { throw WorkflowError.notFound("no request \(ref)") }
        return try rows.map { row in
            EventView(
                seq: try row.decode(Int.self, "seq"), at: try row.decode(Date.self, "at"), actor: try row.decode(String.self, "actor"),
                action: try row.decode(String.self, "action"), from: try row.decode(String?.self, "from_state"),
                to: try row.decode(String.self, "to_state"), due: try row.decode(CivilDate?.self, "due"),
                fields: try RequestStore.fields(fromJSON: try row.decode(String.self, "fields")))
        }
    }

    /// The breach-risk list (`RISK`): open requests overdue or due within `within`
    /// working days of `asOf`, most urgent first, each with `days_left`.
    public func risk(
        within: Int, asOf: CivilDate, kind: RequestKind? = nil, assignee: String? = nil, team: String? = nil, limit: Int = 100,
        scope: String? = nil
    ) async throws -> [RequestView] {
        let calendarSet = try await calendars.current()
        // The last due date that is "within N working days" differs by calendar.
        let cutoffs = try PerCalendar(calendarSet) { calendar throws(CalendarError) in try calendar.addWorkingDays(asOf, within) }
        let rows = try await pool.query(
            """
            SELECT \(unescaped: RequestStore.viewColumns),
                   (SELECT count(*) FROM letters l WHERE l.request_id = r.id AND l.status = 'task') AS tasks
            FROM requests r
            WHERE state IN \(unescaped: RequestStore.openStatesSQL) AND due <= \(cutoffs.latest)
              AND foiflow_sees(\(scope)::text, r.team)
              AND due <= (\(cutoffs.dates)::date[])[array_position(\(cutoffs.names)::text[], calendar)]
              AND (\(kind?.rawValue)::text IS NULL OR kind = \(kind?.rawValue))
              AND (\(assignee)::text IS NULL OR assignee = \(assignee))
              AND (\(team)::text IS NULL OR team = \(team))
            ORDER BY due, ref
            LIMIT \(max(1, min(limit, 1000)))
            """
        ).rows
        return try rows.map { try RequestStore.view(from: $0, calendars: calendarSet, today: asOf) }
            .sorted { ($0.daysLeft ?? 0, $0.due ?? asOf, $0.ref) < ($1.daysLeft ?? 0, $1.due ?? asOf, $1.ref) }
    }

    /// `('received', 'awaiting_clarification', ...)`: constant SQL, matching the partial index.
    public static let openStatesSQL = sqlList(RequestState.open)

    /// States as a constant SQL list, in declaration order: `('received', 'in_progress')`.
    /// Constant text (not a parameter), so the planner can match partial indexes.
    static func sqlList(_ states: some Collection<RequestState>) -> String {
        "(" + RequestState.allCases.filter(states.contains).map { "'\($0.rawValue)'" }.joined(separator: ", ") + ")"
    }

    // MARK: Calendar changes

    /// Derives every open request's due date again over `calendarSet` and, for each
    /// one that moved, writes the new date and a `recalculate` event. Run inside the
    /// transaction that changed the holidays (which holds the calendar lock).
    /// Returns the refs whose due date moved.
    static func recalculateOpenRequests(
        _ tx: PostgresConnection, calendars calendarSet: CalendarSet, actor: String, reason: String
    ) throws -> [String] {
        let engine = WorkflowEngine(calendars: calendarSet)
        let rows = try tx.query("SELECT \(unescaped: recordColumns), ref FROM requests WHERE state IN \(unescaped: openStatesSQL)").rows
        var changes: [Change] = []
        for row in rows {
            let record = try RequestStore.record(from: row)
            guard let moved = try engine.recalculated(record) else { continue }
            let event = EventDraft(
                action: .recalculate, from: record.state, to: moved.state,
                fields: [Field("reason", reason), Field("previous_due", record.due?.description ?? "")], due: moved.due)
            changes.append(Change(id: try row.decode(Int.self, "id"), ref: try row.decode(String.self, "ref"), from: record, to: moved, event: event))
        }
        return try writeAll(tx, changes, actor: actor)
    }

    /// A change decided by the engine, ready to write.
    struct Change {
        var id: Int
        var ref: String
        var from: RequestRecord
        var to: RequestRecord
        var event: EventDraft
        /// The letter the change writes to the requester (a lapse notice), and their name.
        var letter: LetterDraft? = nil
        var requester: String? = nil
    }

    /// Writes many changes of state, clock and due date (the system's: lapses, recalculations)
    /// in one statement, each row guarded by its version and with exactly one event.
    /// Returns the refs written, in ref order; a row that moved on meanwhile is left out.
    static func writeAll(_ tx: PostgresConnection, _ changes: [Change], actor: String) throws -> [String] {
        guard !changes.isEmpty else { return [] }
        var ids: [Int] = [], versions: [Int] = [], states: [String] = [], dues: [CivilDate?] = [], maxDues: [CivilDate?] = []
        var clocks: [String] = [], actions: [String] = [], froms: [String?] = [], fields: [String] = [], effective: [CivilDate?] = []
        var templates: [String?] = [], channels: [String?] = [], statuses: [String?] = [], recipients: [String?] = []
        var subjects: [String?] = [], bodies: [String?] = [], notes: [String?] = [], requesters: [String?] = []
        for change in changes {
            let (from, to) = (change.from, change.to)
            guard to.assignee == from.assignee, to.outcome == from.outcome, to.exemptions == from.exemptions,
                to.respondedOn == from.respondedOn, to.transferredTo == from.transferredTo, to.appealBy == from.appealBy,
                change.event.trail == nil, change.event.grounds.isEmpty
            else {
                throw WorkflowError.inconsistent("\(change.event.action.rawValue) changes more than the bulk writer writes")
            }
            ids.append(change.id)
            versions.append(from.version)
            states.append(to.state.rawValue)
            dues.append(to.due)
            maxDues.append(to.maxDue)
            clocks.append(JSONText.clock(to.clock))
            actions.append(change.event.action.rawValue)
            froms.append(change.event.from?.rawValue)
            fields.append(JSONText.fields(change.event.fields))
            effective.append(change.event.effectiveOn)
            templates.append(change.letter?.type.rawValue)
            channels.append(change.letter?.channel.rawValue)
            statuses.append(change.letter?.status)
            recipients.append(change.letter?.recipient)
            subjects.append(change.letter?.subject)
            bodies.append(change.letter?.body)
            notes.append(change.letter?.taskNote)
            requesters.append(change.requester)
        }
        return try tx.query(
            """
            WITH u AS (
                SELECT * FROM unnest(\(ids)::bigint[], \(versions)::int[], \(states)::text[], \(dues)::date[], \(maxDues)::date[],
                                     \(clocks)::text[], \(actions)::text[], \(froms)::text[], \(fields)::text[], \(effective)::date[])
                    AS u(id, version, state, due, max_due, clock, action, from_state, fields, effective_on)
            ),
            upd AS (
                UPDATE requests r
                SET state = u.state, due = u.due, max_due = u.max_due, clock = u.clock::jsonb, version = r.version + 1, updated_at = now()
                FROM u WHERE r.id = u.id AND r.version = u.version
                RETURNING r.id, r.ref, r.version, r.state, r.due, u.action, u.from_state, u.fields, u.effective_on
            ),
            ev AS (
                INSERT INTO request_events (request_id, seq, actor, action, from_state, to_state, due, fields, effective_on)
                SELECT id, version, \(actor), action, from_state, state, due, fields::jsonb, coalesce(effective_on, foiflow_today()) FROM upd
            ),
            l AS (
                SELECT * FROM unnest(\(ids)::bigint[], \(templates)::text[], \(channels)::text[], \(statuses)::text[],
                                     \(recipients)::text[], \(subjects)::text[], \(bodies)::text[], \(notes)::text[], \(requesters)::text[])
                    AS l(id, template, channel, status, recipient, subject, body, task_note, requester)
                WHERE template IS NOT NULL
            ),
            letter AS (
                INSERT INTO letters (request_id, template, channel, status, recipient, subject, body, task_note)
                SELECT l.id, l.template, l.channel, l.status, l.recipient, l.subject, l.body, l.task_note
                FROM l JOIN upd ON upd.id = l.id
                RETURNING id, request_id, status, recipient, subject, body
            ),
            mail AS (
                INSERT INTO notifications (request_id, level, recipient, email, subject, body, letter_id)
                SELECT letter.request_id, 'letter', r.requester, letter.recipient, letter.subject, letter.body, letter.id
                FROM letter JOIN requests r ON r.id = letter.request_id WHERE letter.status = 'queued'
            )
            SELECT ref FROM upd ORDER BY ref
            """
        ).rows.map { try $0.decode(String.self, "ref") }
    }

    // MARK: Encoding

    static func view(from row: PostgresRow, calendars calendarSet: CalendarSet, today: CivilDate) throws -> RequestView {
        var view = try baseView(from: row, calendars: calendarSet, today: today)
        if row.hasColumn("tasks") { view.tasks = try row.decode(Int.self, "tasks") }
        if row.hasColumn("reviews") { view.reviews = try row.decode(String?.self, "reviews") }
        if row.hasColumn("ico_cases") { view.icoCases = try row.decode(String?.self, "ico_cases") }
        if row.hasColumn("links") { view.links = try row.decode(String?.self, "links") }
        if row.hasColumn("possible_repeat") { view.possibleRepeat = try row.decode(String?.self, "possible_repeat") }
        view.anonymisedOn = try row.decode(CivilDate?.self, "anonymised_on")
        if row.hasColumn("anonymise_on") { view.anonymiseOn = try row.decode(CivilDate?.self, "anonymise_on") }
        if row.hasColumn("held") { view.held = try row.decode(String?.self, "held") }
        if row.hasColumn("commitment_unit"), try row.decode(String?.self, "commitment_unit") != nil {
            let commitment = try CommitmentStore.commitment(
                from: row, prefix: "commitment_")
            view.commitmentDue = try? commitment.due(received: view.received, calendar: calendarSet[view.calendar])
        }
        return view
    }

    private static func baseView(from row: PostgresRow, calendars calendarSet: CalendarSet, today: CivilDate) throws -> RequestView {
        let kind = try row.decode(RequestKind.self, "kind"), state = try row.decode(RequestState.self, "state")
        let calendar = try row.decode(CalendarID.self, "calendar")
        let due = try row.decode(CivilDate?.self, "due")
        var daysLeft: Int?
        if let due, state.isOpen { daysLeft = try? calendarSet[calendar].workingDaysBetween(today, due) }
        return RequestView(
            ref: try row.decode(String.self, "ref"), kind: kind, state: state, version: try row.decode(Int.self, "version"),
            received: try row.decode(CivilDate.self, "received"), calendar: calendar, due: due,
            maxDue: try row.decode(CivilDate?.self, "max_due"), assignee: try row.decode(String?.self, "assignee"),
            team: try row.decode(String?.self, "team"), requester: try row.decode(String.self, "requester"),
            subject: try row.decode(String?.self, "subject"), email: try row.decode(String?.self, "email"),
            address: try row.decode(String?.self, "address"), phone: try row.decode(String?.self, "phone"),
            contact: try row.decode(String?.self, "contact"),
            parent: try row.decode(String?.self, "parent_ref"), outcome: try row.decode(String?.self, "outcome"),
            exemptions: try row.decode(String?.self, "exemptions"), respondedOn: try row.decode(CivilDate?.self, "responded_on"),
            transferredTo: try row.decode(String?.self, "transferred_to"), icoRef: try row.decode(String?.self, "ico_ref"),
            appealBy: try row.decode(CivilDate?.self, "appeal_by"), requestedLate: try row.decode(Bool.self, "requested_late"),
            legacyRef: try row.decode(String?.self, "legacy_ref"),
            daysLeft: daysLeft,
            updateDue: state.isOpen
                ? (try row.decode(CivilDate?.self, "last_contact") ?? row.decode(CivilDate.self, "received")).adding(months: 1) : nil)
    }

    static func fields(fromJSON text: String) throws -> [Field] {
        guard let pairs = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String]] else { return [] }
        return pairs.compactMap { $0.count == 2 ? Field($0[0], $0[1]) : nil }
    }
}
