import Deadlines
import Postgres
import Workflow

/// Published service commitments, one per kind, kept in the database so the server and the
/// CLI agree.
public struct CommitmentStore: Sendable {
    public let pool: PostgresPool

    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// Sets (or replaces) the commitment for `kind`.
    public func set(_ commitment: Commitment, for kind: RequestKind, by actor: String = "db") async throws {
        try await pool.recordingChanges(by: actor) { connection in
            try connection.query(
                """
                INSERT INTO commitments (kind, unit, amount, text) VALUES (\(kind.rawValue), \(commitment.unit.rawValue), \(commitment.amount), \(commitment.text))
                ON CONFLICT (kind) DO UPDATE SET unit = excluded.unit, amount = excluded.amount, text = excluded.text, updated_at = now()
                """)
        }
    }

    /// Removes the commitment for `kind`; not found when there is none.
    public func clear(_ kind: RequestKind, by actor: String = "db") async throws {
        let affected = try await pool.recordingChanges(by: actor) { connection in
            try connection.query("DELETE FROM commitments WHERE kind = \(kind.rawValue)").affectedRows
        }
        guard affected == 1 else { throw WorkflowError.notFound("no commitment for \(kind.rawValue)") }
    }

    /// Every commitment, by kind.
    public func list() async throws -> [(kind: RequestKind, commitment: Commitment)] {
        try await pool.withConnection { connection in
            try connection.query("SELECT kind, unit, amount, text FROM commitments ORDER BY kind").rows.map { row in
                (try row.decode(RequestKind.self, "kind"), try CommitmentStore.commitment(from: row))
            }
        }
    }

    /// A commitment from columns `unit`, `amount`, `text` (each after `prefix`).
    static func commitment(from row: PostgresRow, prefix: String = "") throws -> Commitment {
        let unitName = try row.decode(String.self, prefix + "unit")
        guard let unit = Commitment.Unit(rawValue: unitName) else { throw WorkflowError.inconsistent("unknown commitment unit '\(unitName)'") }
        return Commitment(unit: unit, amount: try row.decode(Int.self, prefix + "amount"), text: try row.decode(String.self, prefix + "text"))
    }
}
