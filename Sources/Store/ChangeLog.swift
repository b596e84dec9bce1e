import Dates
import Foundation
import Postgres

/// One change to users, policy, published commitments or the unit's details, as `change_log`
/// recorded it (a trigger on each table writes it, so no path can change them unrecorded).
public struct ChangeEntry: Sendable, Equatable {
    /// When, as an RFC 3339 UTC instant.
    public var at: String
    /// Who: the login the command ran as (`--as`, `$FOIFLOW_USER`, else `os:<user>`).
    public var actor: String
    /// `user`, `policy`, `commitment` or `unit`.
    public var subject: String
    /// The login, policy key, kind or `details` changed.
    public var target: String
    /// What changed (staff's names, e-mail addresses and numbers named, never written).
    public var change: String
}

/// The record of changes to how the unit is set up (`foiflow audit changes`).
public struct ChangeLogStore: Sendable {
    public let pool: PostgresPool

    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// The changes since the start of `since` (London time; every change when `nil`), oldest first.
    public func entries(since: CivilDate? = nil) async throws -> [ChangeEntry] {
        try await pool.withConnection { connection in
            try connection.query(
                """
                SELECT extract(epoch FROM at)::float8 AS at, actor, subject, target, change FROM change_log
                WHERE \(since)::date IS NULL OR at >= (\(since)::date::timestamp AT TIME ZONE 'Europe/London')
                ORDER BY id
                """
            ).rows.map { row in
                ChangeEntry(
                    at: Timestamps.rfc3339(Date(timeIntervalSince1970: try row.decode(Double.self, "at"))),
                    actor: try row.decode(String.self, "actor"), subject: try row.decode(String.self, "subject"),
                    target: try row.decode(String.self, "target"), change: try row.decode(String.self, "change"))
            }
        }
    }
}

extension PostgresPool {
    /// Runs `body` in one transaction whose changes to users and configuration the change log
    /// attributes to `actor`.
    @discardableResult
    public func recordingChanges<T: Sendable>(by actor: String, _ body: @escaping @Sendable (PostgresConnection) throws -> T) async throws -> T {
        try await withTransaction { connection in
            try connection.query("SELECT set_config('foiflow.actor', \(actor), true)")
            return try body(connection)
        }
    }
}
