import Foundation
import Postgres
import Workflow

/// Something `audit verify` found wrong: a request, the event (when one is to blame), and what.
public struct AuditProblem: Sendable, Equatable {
    public var ref: String
    public var seq: Int?
    public var what: String

    /// `FOI-2026-000001 seq 3: its digest does not match`.
    public var line: String { "\(ref)\(seq.map { " seq \($0)" } ?? ""): \(what)" }
}

/// What `audit verify` checked and found.
public struct AuditReport: Sendable, Equatable {
    public var requests: Int
    public var events: Int
    public var digests: Int
    public var problems: [AuditProblem]
}

/// One recorded digest over every request's chain head.
public struct AuditDigest: Sendable, Equatable {
    /// The day it was taken, in Europe/London.
    public var day: String
    public var takenAt: Date
    public var covers: Date
    public var requests: Int
    public var events: Int
    public var hex: String

    /// `DATE DIGEST`, as PROTOCOL.md has `audit digest` print it: `2026-12-07 1a2b...`.
    public var line: String { "\(day) \(hex)" }
}

/// The verifiable history: each event's digest chains it to the one before on its request
/// (`request_events.digest`, written by the database as the event is), and recorded digests
/// over every chain head (`audit_digests`) pin the whole history at a time.
public struct AuditStore: Sendable {
    public let pool: PostgresPool
    /// A digest covers events written up to this long before it is taken, so a transaction
    /// still running then cannot add an event it should have covered.
    public static let settle: Duration = .seconds(300)

    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// Recomputes every chain (or `ref`'s), checks each request has exactly the events its
    /// version says, and (for the whole history) that every recorded digest can still be
    /// reproduced from the events up to its time.
    public func verify(ref: String? = nil) async throws -> AuditReport {
        if let ref, try await pool.query("SELECT 1 FROM requests WHERE ref = \(ref)").first == nil {
            throw WorkflowError.notFound("no request \(ref)")
        }
        var problems: [AuditProblem] = []
        let chains = try await pool.query(
            """
            SELECT r.ref, c.seq, c.problem FROM (
                SELECT e.request_id, e.seq,
                       CASE WHEN e.seq <> row_number() OVER w THEN 'out of sequence (an event before it is missing or moved)'
                            WHEN e.digest IS DISTINCT FROM sha256(coalesce(lag(e.digest) OVER w, ''::bytea) || foiflow_event_content(
                                     e.seq, e.at, e.actor, e.action, e.from_state, e.to_state, e.due, e.fields, e.effective_on))
                            THEN 'its digest does not match (the event, or one before it, was changed)' END AS problem
                FROM request_events e
                WHERE \(ref)::text IS NULL OR e.request_id = (SELECT id FROM requests WHERE ref = \(ref)::text)
                WINDOW w AS (PARTITION BY e.request_id ORDER BY e.seq)
            ) c JOIN requests r ON r.id = c.request_id
            WHERE c.problem IS NOT NULL
            ORDER BY r.ref, c.seq
            """
        ).rows
        for row in chains {
            problems.append(
                AuditProblem(
                    ref: try row.decode(String.self, "ref"), seq: try row.decode(Int.self, "seq"), what: try row.decode(String.self, "problem")))
        }
        // Events missing at the end of a chain: a request's version is its number of events.
        let counts = try await pool.query(
            """
            SELECT r.ref, r.version, count(e.seq)::int AS events, coalesce(max(e.seq), 0) AS last
            FROM requests r LEFT JOIN request_events e ON e.request_id = r.id
            WHERE \(ref)::text IS NULL OR r.ref = \(ref)::text
            GROUP BY r.id, r.ref, r.version
            """
        ).rows
        var events = 0
        for row in counts {
            let version = try row.decode(Int.self, "version"), count = try row.decode(Int.self, "events")
            let last = try row.decode(Int.self, "last")
            events += count
            if count != version || last != version {
                problems.append(
                    AuditProblem(
                        ref: try row.decode(String.self, "ref"), seq: nil,
                        what: "it is at version \(version) but has \(count) events: events were removed"))
            }
        }
        var digests = 0
        if ref == nil {
            let recorded = try await pool.query(
                """
                SELECT a.id, a.taken_at, a.requests AS recorded_requests, a.events AS recorded_events, a.digest = d.digest AS same,
                       d.requests, d.events
                FROM audit_digests a, LATERAL foiflow_audit_digest(a.covers) d
                ORDER BY a.id
                """
            ).rows
            for row in recorded {
                digests += 1
                guard try !row.decode(Bool.self, "same") else { continue }
                let taken = Timestamps.rfc3339(try row.decode(Date.self, "taken_at"))
                problems.append(
                    AuditProblem(
                        ref: "digest of \(taken)", seq: nil,
                        what:
                            "no longer reproduced (it covered \(try row.decode(Int.self, "recorded_requests")) requests and \(try row.decode(Int.self, "recorded_events")) events; they are now \(try row.decode(Int.self, "requests")) and \(try row.decode(Int.self, "events")))"
                    ))
            }
        }
        problems.sort { ($0.ref, $0.seq ?? 0) < ($1.ref, $1.seq ?? 0) }
        return AuditReport(requests: counts.count, events: events, digests: digests, problems: problems)
    }

    /// Computes the digest over every request's chain head now (events up to `settle` seconds
    /// ago), records it and returns it.
    public func record(settle: Duration = AuditStore.settle) async throws -> AuditDigest {
        let row = try await pool.query(
            """
            WITH d AS (SELECT now() - make_interval(secs => \(Int(settle.components.seconds))) AS covers),
            taken AS (
                INSERT INTO audit_digests (covers, requests, events, digest)
                SELECT d.covers, a.requests, a.events, a.digest FROM d, LATERAL foiflow_audit_digest(d.covers) a
                RETURNING taken_at, covers, requests, events, encode(digest, 'hex') AS hex,
                          to_char(taken_at AT TIME ZONE 'Europe/London', 'YYYY-MM-DD') AS day
            )
            SELECT * FROM taken
            """
        ).first
        guard let row else { throw WorkflowError.inconsistent("the database recorded no digest") }
        return AuditDigest(
            day: try row.decode(String.self, "day"), takenAt: try row.decode(Date.self, "taken_at"), covers: try row.decode(Date.self, "covers"),
            requests: try row.decode(Int.self, "requests"),
            events: try row.decode(Int.self, "events"), hex: try row.decode(String.self, "hex"))
    }
}
