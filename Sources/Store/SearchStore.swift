import Dates
import Deadlines
import Foundation
import Postgres
import Workflow

/// What `SEARCH` looks for: words (PostgreSQL's web search syntax: `"quoted phrase"`, `or`,
/// `-word`), and the filters LIST has.
public struct SearchQuery: Sendable, Equatable {
    public var text: String
    public var kind: RequestKind?
    public var state: RequestState?
    /// Received on or after / on or before.
    public var from: CivilDate?
    public var to: CivilDate?
    public var limit: Int

    /// The most words' worth of text a search takes.
    public static let maxLength = 500
    public static let defaultLimit = 20
    public static let maxLimit = 100

    public init(
        text: String, kind: RequestKind? = nil, state: RequestState? = nil, from: CivilDate? = nil, to: CivilDate? = nil,
        limit: Int = SearchQuery.defaultLimit
    ) {
        (self.text, self.kind, self.state, self.from, self.to, self.limit) = (text, kind, state, from, to, limit)
    }

    /// Why the query cannot be run, if it cannot.
    public var problem: String? {
        if text.allSatisfy(\.isWhitespace) { return "text= needs words to look for" }
        if text.count > Self.maxLength { return "text= is longer than \(Self.maxLength) characters" }
        if !(1...Self.maxLimit).contains(limit) { return "limit=\(limit) must be a whole number from 1 to \(Self.maxLimit)" }
        if let from, let to, from > to { return "from=\(from) is after to=\(to)" }
        return nil
    }
}

/// One request found, best match first.
public struct SearchHit: Sendable, Equatable {
    public var ref: String
    public var kind: RequestKind
    public var state: RequestState
    public var received: CivilDate
    public var subject: String?
    /// How well it matches (PostgreSQL's `ts_rank`; a reference typed exactly ranks 1).
    public var rank: Double

    /// What the protocol and the CLI show, in this order.
    public var fields: [Field] {
        [Field("ref", ref), Field("kind", kind.rawValue), Field("state", state.rawValue), Field("received", received.description)]
            + (subject.map { [Field("subject", $0)] } ?? []) + [Field("rank", String(format: "%.4f", rank))]
    }
    public static let columns = ["ref", "kind", "state", "received", "subject", "rank"]
}

extension RequestStore {
    /// Requests whose reference, subject or actions' free text match `query`, as `scope` may
    /// see them (the team rule of every read), ranked (reference and subject weigh most). An
    /// anonymised request has only its reference left to be found by.
    public func search(_ query: SearchQuery, scope: String?) async throws -> [SearchHit] {
        if let problem = query.problem { throw WorkflowError.badArgument(problem) }
        // Ranked in request_search alone (with the filters it carries), so only the requests
        // returned are read; with a state to match, every match is read for its state.
        return try await pool.query(
            """
            WITH q AS (
                SELECT websearch_to_tsquery('english', \(query.text)) AS query, upper(btrim(\(query.text))) AS exact
            ),
            found AS (
                SELECT s.request_id, ts_rank(s.doc, q.query) AS rank, s.received
                FROM request_search s, q
                WHERE s.doc @@ q.query AND foiflow_sees(\(scope)::text, s.team)
                  AND (\(query.kind?.rawValue)::text IS NULL OR s.kind = \(query.kind?.rawValue)::text)
                  AND (\(query.from)::date IS NULL OR s.received >= \(query.from)::date)
                  AND (\(query.to)::date IS NULL OR s.received <= \(query.to)::date)
                UNION ALL
                SELECT r.id, 1, r.received
                FROM requests r, q
                WHERE r.ref = q.exact AND foiflow_sees(\(scope)::text, r.team)
                  AND (\(query.kind?.rawValue)::text IS NULL OR r.kind = \(query.kind?.rawValue)::text)
                  AND (\(query.from)::date IS NULL OR r.received >= \(query.from)::date)
                  AND (\(query.to)::date IS NULL OR r.received <= \(query.to)::date)
            ),
            best AS (
                SELECT request_id, max(rank) AS rank, max(received) AS received FROM found GROUP BY request_id
                ORDER BY rank DESC, received DESC, request_id DESC
                LIMIT CASE WHEN \(query.state?.rawValue)::text IS NULL THEN \(query.limit)::bigint END
            )
            SELECT r.ref, r.kind, r.state, r.received, r.subject, b.rank::float8 AS rank
            FROM best b JOIN requests r ON r.id = b.request_id
            WHERE \(query.state?.rawValue)::text IS NULL OR r.state = \(query.state?.rawValue)::text
            ORDER BY b.rank DESC, b.received DESC, r.id DESC
            LIMIT \(query.limit)
            """
        ).rows.map { row in
            SearchHit(
                ref: try row.decode(String.self, "ref"), kind: try row.decode(RequestKind.self, "kind"),
                state: try row.decode(RequestState.self, "state"), received: try row.decode(CivilDate.self, "received"),
                subject: try row.decode(String?.self, "subject"), rank: try row.decode(Double.self, "rank"))
        }
    }
}
