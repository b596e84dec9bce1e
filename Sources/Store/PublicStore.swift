import Dates
import Deadlines
import Digest
import Foundation
import Letters
import Postgres
import Workflow

/// Where a request stands, as its requester may see it with the reference and access code:
/// nothing of anyone else, no name, no subject.
public struct PublicStatus: Sendable, Equatable {
    public struct SentLetter: Sendable, Equatable {
        public var type: LetterType
        public var on: CivilDate
        /// `sent`, `done` (sent by post or telephoned) or `queued` (on its way).
        public var status: String
    }

    public var ref: String
    public var kind: RequestKind
    public var state: RequestState
    public var received: CivilDate
    public var due: CivilDate?
    /// Who leads on it and how to reach them: the officer, else the unit.
    public var lead: LeadContact
    public var letters: [SentLetter]
    /// When the next progress update is due (open requests).
    public var updateDue: CivilDate?
}

/// One published response on the disclosure log.
public struct LogEntry: Sendable, Equatable {
    public var ref: String
    public var kind: RequestKind
    public var answeredOn: CivilDate
    public var publishedOn: CivilDate
    public var title: String
    public var outcome: String
    public var grounds: String?
}

/// An open request in an officer's calendar feed.
public struct CalendarItem: Sendable, Equatable {
    public var ref: String
    public var kind: RequestKind
    public var state: RequestState
    public var due: CivilDate?
    public var updateDue: CivilDate?
}

/// What the public web reads: a request's status by reference and access code, the disclosure
/// log, and an officer's calendar by its token. Statements over the same tables as everything
/// else; nothing here writes.
public struct PublicStore: Sendable {
    public let pool: PostgresPool

    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// The request with this reference and access code, or `nil` (an unknown reference and a
    /// wrong code alike). An anonymised request has nothing left to show.
    public func status(ref: String, code: String, unit: LeadContact) async throws -> PublicStatus? {
        guard let hash = AccessCode.hash(code), RequestReference(ref) != nil else { return nil }
        // One round trip: the letters come with the request, as `template:status:date` items
        // (names from closed lists and an ISO date, so neither separator can occur in them).
        guard
            let row = try await pool.query(
                """
                SELECT r.ref, r.kind, r.state, r.received, r.due, r.last_contact,
                       u.name AS lead_name, u.email AS lead_email, u.phone AS lead_phone,
                       (SELECT string_agg(l.template || ':' || l.status || ':'
                                          || to_char((coalesce(l.sent_at, l.created_at) AT TIME ZONE 'Europe/London')::date, 'YYYY-MM-DD'),
                                          ',' ORDER BY l.id)
                        FROM letters l WHERE l.request_id = r.id AND l.status IN ('queued', 'sent', 'done')) AS letters
                FROM requests r LEFT JOIN users u ON u.login = r.assignee AND u.disabled_at IS NULL
                WHERE r.ref = \(ref.uppercased()) AND r.access_hash = \(PostgresBytes(hash)) AND r.anonymised_on IS NULL
                """
            ).first
        else { return nil }
        let listed = try row.decode(String?.self, "letters") ?? ""
        let letters = listed.split(separator: ",").compactMap { item -> PublicStatus.SentLetter? in
            let parts = item.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 3, let type = LetterType(rawValue: parts[0]), let on = CivilDate(iso: parts[2]) else { return nil }
            return PublicStatus.SentLetter(type: type, on: on, status: parts[1])
        }
        let state = try row.decode(RequestState.self, "state")
        let received = try row.decode(CivilDate.self, "received")
        let officer = try RequestStore.lead(from: row)
        return PublicStatus(
            ref: try row.decode(String.self, "ref"), kind: try row.decode(RequestKind.self, "kind"), state: state, received: received,
            due: try row.decode(CivilDate?.self, "due"), lead: officer.contactText == nil ? unit : officer, letters: letters,
            updateDue: state.isOpen ? (try row.decode(CivilDate?.self, "last_contact") ?? received).adding(months: 1) : nil)
    }

    /// Entries on the log by `today`, newest answer first: a page of `pageSize`, and whether
    /// more follow. `query`: words in the title or the reference (web search syntax).
    public func log(query: String?, page: Int, pageSize: Int = 20, today: CivilDate) async throws -> (entries: [LogEntry], more: Bool) {
        let words = query.flatMap { WorkflowEngine.isBlank($0) ? nil : String($0.prefix(200)) }
        let rows = try await pool.withConnection { connection in
            try connection.query(
                """
                SELECT ref, kind, answered_on, publish_on, title, outcome, grounds FROM disclosure_log
                WHERE publish_on <= \(today) AND (\(words)::text IS NULL OR search @@ websearch_to_tsquery('english', \(words)::text))
                ORDER BY answered_on DESC, ref DESC
                LIMIT \(pageSize + 1) OFFSET \(max(0, page - 1) * pageSize)
                """
            ).rows.map(PublicStore.entry(from:))
        }
        return (Array(rows.prefix(pageSize)), rows.count > pageSize)
    }

    /// One entry, once it is published.
    public func entry(ref: String, today: CivilDate) async throws -> LogEntry? {
        try await pool.query(
            """
            SELECT ref, kind, answered_on, publish_on, title, outcome, grounds FROM disclosure_log
            WHERE ref = \(ref.uppercased()) AND publish_on <= \(today)
            """
        ).first.map(PublicStore.entry(from:))
    }

    static func entry(from row: PostgresRow) throws -> LogEntry {
        LogEntry(
            ref: try row.decode(String.self, "ref"), kind: try row.decode(RequestKind.self, "kind"),
            answeredOn: try row.decode(CivilDate.self, "answered_on"), publishedOn: try row.decode(CivilDate.self, "publish_on"),
            title: try row.decode(String.self, "title"), outcome: try row.decode(String.self, "outcome"),
            grounds: try row.decode(String?.self, "grounds"))
    }

    /// The officer whose calendar token this is, with their open assigned requests; `nil` for
    /// an unknown token or a disabled user.
    public func calendar(token: String) async throws -> (login: String, items: [CalendarItem])? {
        guard token.count == 64, token.allSatisfy(\.isHexDigit) else { return nil }
        let hash = PostgresBytes(SHA256.hash(Array(token.lowercased().utf8)))
        return try await pool.withConnection { connection -> (String, [CalendarItem])? in
            guard
                let login = try connection.query(
                    "SELECT login FROM users WHERE calendar_token_hash = \(hash) AND disabled_at IS NULL"
                ).first?.decode(String.self, "login")
            else { return nil }
            let items = try connection.query(
                """
                SELECT ref, kind, state, due, coalesce(last_contact, received) AS contact FROM requests
                WHERE assignee = \(login) AND foiflow_is_open(state) ORDER BY due NULLS LAST, ref
                """
            ).rows.map { row in
                CalendarItem(
                    ref: try row.decode(String.self, "ref"), kind: try row.decode(RequestKind.self, "kind"),
                    state: try row.decode(RequestState.self, "state"), due: try row.decode(CivilDate?.self, "due"),
                    updateDue: try row.decode(CivilDate.self, "contact").adding(months: 1))
            }
            return (login, items)
        }
    }
}
