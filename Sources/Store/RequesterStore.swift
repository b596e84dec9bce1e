import Dates
import Deadlines
import Postgres
import Workflow

/// Another request by the same requester, as `REQUESTER` lists it.
public struct RequesterRequest: Sendable, Equatable {
    public var ref: String
    public var kind: RequestKind
    public var received: CivilDate
    public var state: RequestState
    public var subject: String?

    public init(ref: String, kind: RequestKind, received: CivilDate, state: RequestState, subject: String?) {
        (self.ref, self.kind, self.received, self.state, self.subject) = (ref, kind, received, state, subject)
    }

    /// What the protocol and the CLI show, in this order.
    public var fields: [Field] {
        [Field("ref", ref), Field("kind", kind.rawValue), Field("received", received.description), Field("state", state.rawValue)]
            + (subject.map { [Field("subject", $0)] } ?? [])
    }
    public static let columns = ["ref", "kind", "received", "state", "subject"]
}

/// Who asked what before. Requests are matched to their requester by the database as they are
/// written (`foiflow_request_matched`: the e-mail without regard to case, else the name and
/// postal address); these are the reads and the corrections.
extension RequestStore {
    /// The requester's other requests, as `actor` may see them, after recording on `ref` who
    /// looked and why (an event, the reason kept with the notes). FOI is applicant-blind: only
    /// managers and admins may look (the transition table's row for `requester-viewed`), and
    /// only for a stated reason.
    public func requesterHistory(
        ref: String, reason: String, by actor: Actor, credential: Credential? = nil, today: CivilDate
    )
        async throws -> [RequesterRequest]
    {
        _ = try await act(ref: ref, action: .requesterViewed, fields: [Field("reason", reason)], by: actor, credential: credential, today: today)
        return try await pool.query(
            """
            SELECT o.ref, o.kind, o.received, o.state, o.subject
            FROM requests r JOIN requests o ON o.requester_id = r.requester_id AND o.id <> r.id
            WHERE r.ref = \(ref) AND foiflow_sees(\(actor.scope)::text, o.team)
            ORDER BY o.received, o.ref
            """
        ).rows.map { row in
            RequesterRequest(
                ref: try row.decode(String.self, "ref"), kind: try row.decode(RequestKind.self, "kind"),
                received: try row.decode(CivilDate.self, "received"), state: try row.decode(RequestState.self, "state"),
                subject: try row.decode(String?.self, "subject"))
        }
    }

    /// Puts the requests of `other`'s requester with `ref`'s (matching kept them apart: a new
    /// e-mail, a moved address); later requests matching either go to the one requester.
    /// Returns how many requests the requester now has.
    public func mergeRequesters(_ ref: String, with other: String) async throws -> Int {
        try await pool.withTransaction { connection in
            let rows = try connection.query(
                "SELECT ref, requester_id, anonymised_on FROM requests WHERE ref IN (\(ref), \(other)) ORDER BY ref = \(ref) DESC FOR UPDATE"
            ).rows
            let found = try rows.map { (ref: try $0.decode(String.self, "ref"), id: try $0.decode(Int?.self, "requester_id")) }
            for name in [ref, other] where !found.contains(where: { $0.ref == name }) { throw WorkflowError.notFound("no request \(name)") }
            guard let into = found.first?.id, let from = found.last?.id else {
                throw WorkflowError.invalidTransition("an anonymised request, or one with no e-mail or address, has no requester to merge")
            }
            if into != from {
                try connection.query("UPDATE requester_keys SET requester_id = \(into) WHERE requester_id = \(from)")
                try connection.query("UPDATE requests SET requester_id = \(into) WHERE requester_id = \(from)")
            }
            return try connection.query("SELECT count(*) AS n FROM requests WHERE requester_id = \(into)").first?.decode(Int.self, "n") ?? 0
        }
    }

    /// Takes `ref` away from its requester (matching put two people together: a shared e-mail):
    /// it becomes a requester of its own, and later requests with the same details still go to
    /// the first.
    public func splitRequester(_ ref: String) async throws {
        try await pool.withTransaction { connection in
            guard let row = try connection.query("SELECT requester_id FROM requests WHERE ref = \(ref) FOR UPDATE").first else {
                throw WorkflowError.notFound("no request \(ref)")
            }
            guard let current = try row.decode(Int?.self, "requester_id") else {
                throw WorkflowError.invalidTransition("\(ref) has no requester (anonymised, or no e-mail or address)")
            }
            let others =
                try connection.query("SELECT count(*) AS n FROM requests WHERE requester_id = \(current) AND ref <> \(ref)")
                .first?.decode(Int.self, "n") ?? 0
            guard others > 0 else { throw WorkflowError.invalidTransition("\(ref) is its requester's only request; nothing to split") }
            try connection.query(
                """
                WITH made AS (INSERT INTO requesters DEFAULT VALUES RETURNING id)
                UPDATE requests SET requester_id = (SELECT id FROM made) WHERE ref = \(ref)
                """)
        }
    }
}
