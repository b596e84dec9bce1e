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
        return try await pool.query(
            """
            WITH q AS (
                SELECT websearch_to_tsquery('english', \(query.text)) AS query, upper(btrim(\(query.text))) AS exact
            ),
            hits AS (
                SELECT s.request_id, ts_rank(s.doc, q.query) AS rank FROM request_search s, q WHERE s.doc @@ q.query
                UNION ALL
                SELECT r.id, 1 FROM requests r, q WHERE r.ref = q.exact
            )
            SELECT r.ref, r.kind, r.state, r.received, r.subject, max(h.rank)::float8 AS rank
            FROM hits h JOIN requests r ON r.id = h.request_id
            WHERE foiflow_sees(\(scope)::text, r.team)
              AND (\(query.kind?.rawValue)::text IS NULL OR r.kind = \(query.kind?.rawValue)::text)
              AND (\(query.state?.rawValue)::text IS NULL OR r.state = \(query.state?.rawValue)::text)
              AND (\(query.from)::date IS NULL OR r.received >= \(query.from)::date)
              AND (\(query.to)::date IS NULL OR r.received <= \(query.to)::date)
            GROUP BY r.id
            ORDER BY rank DESC, r.received DESC, r.ref
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
