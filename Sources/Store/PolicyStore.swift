import Postgres
import Workflow

/// The authority's sign-off policy, kept in the database (`policy`) so the server and the CLI
/// read the same: which response outcomes need a manager's `approve` since the last change.
public struct PolicyStore: Sendable {
    public let pool: PostgresPool

    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// The outcomes that need approval (empty: none).
    public func requireApproval() async throws -> Set<Outcome> {
        PolicyStore.outcomes(try await pool.query("SELECT value FROM policy WHERE key = 'require-approval'").first?.decode(String.self, "value"))
    }

    /// Sets the outcomes that need approval (empty: none), as `actor`.
    public func setRequireApproval(_ outcomes: Set<Outcome>, by actor: String) async throws {
        let value = Outcome.allCases.filter(outcomes.contains).map(\.rawValue).joined(separator: ",")
        try await pool.recordingChanges(by: actor) { connection in
            try connection.query(
                """
                INSERT INTO policy (key, value, updated_by) VALUES ('require-approval', \(value), \(actor))
                ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_by = excluded.updated_by, updated_at = now()
                """)
        }
    }

    /// The appropriate limit in pounds (FOIA s.12; £450, or £600 for the authorities of
    /// Schedule 1 Part I).
    public func costLimit() async throws -> Int {
        PolicyStore.costLimit(try await pool.query("SELECT value FROM policy WHERE key = 'cost-limit'").first?.decode(String.self, "value"))
    }

    public func setCostLimit(_ pounds: Int, by actor: String) async throws {
        try await pool.recordingChanges(by: actor) { connection in
            try connection.query(
                """
                INSERT INTO policy (key, value, updated_by) VALUES ('cost-limit', \(String(pounds)), \(actor))
                ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_by = excluded.updated_by, updated_at = now()
                """)
        }
    }

    /// Working days after a response before the disclosure log shows it (default 0).
    public func publishAfter() async throws -> Int {
        let text = try await pool.query("SELECT value FROM policy WHERE key = 'publish-after'").first?.decode(String.self, "value")
        return text.flatMap { Int($0) } ?? 0
    }

    public func setPublishAfter(_ days: Int, by actor: String) async throws {
        try await pool.recordingChanges(by: actor) { connection in
            try connection.query(
                """
                INSERT INTO policy (key, value, updated_by) VALUES ('publish-after', \(String(days)), \(actor))
                ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_by = excluded.updated_by, updated_at = now()
                """)
        }
    }

    /// The stored limit, or the default.
    public static func costLimit(_ text: String?) -> Int { text.flatMap { Int($0) } ?? CostLimit.defaultLimit }

    /// Parses a stored or typed list (`refused,partial`; `none` or empty: no outcome).
    public static func outcomes(_ text: String?) -> Set<Outcome> {
        Set((text ?? "").split(separator: ",").compactMap { Outcome(rawValue: $0.trimmingCharacters(in: .whitespaces).lowercased()) })
    }
}
