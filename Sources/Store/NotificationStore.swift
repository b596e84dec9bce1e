import Foundation
import Mail
import Postgres

/// One message waiting in the outbox.
public struct OutboxMessage: Sendable, Equatable {
    public var id: Int
    public var ref: String
    public var level: String
    public var recipient: String?
    public var email: String?
    public var subject: String
    public var body: String
    /// Attempts so far, this one included.
    public var attempts: Int
    /// The letter it carries (`LETTERS`, `foiflow letter ID`), when it is a letter to a requester.
    public var letterID: Int? = nil

    /// How a person finds it: `letter 12` for a letter to a requester, `notification 7` for a
    /// message to staff.
    public var label: String { letterID.map { "letter \($0)" } ?? "notification \(id)" }
}

/// What a delivery run did.
public struct DeliveryReport: Sendable, Equatable {
    public var delivered: [Int] = []
    /// Failed this time; to be tried again later.
    public var retrying: [(id: Int, error: String)] = []
    /// Failed too often: given up (reported, not tried again).
    public var gaveUp: [(id: Int, error: String)] = []

    public static func == (lhs: DeliveryReport, rhs: DeliveryReport) -> Bool {
        lhs.delivered == rhs.delivered && lhs.retrying.map(\.id) == rhs.retrying.map(\.id) && lhs.gaveUp.map(\.id) == rhs.gaveUp.map(\.id)
    }
}

/// The notification outbox: claim pending rows, deliver them, record the outcome.
///
/// A claim is a short transaction that takes rows with `FOR UPDATE SKIP LOCKED` and
/// moves their next attempt into the future, so two notifiers never take the same row;
/// delivery happens outside any transaction; success or failure is written after.
/// Failures back off exponentially (1, 2, 4 ... minutes) and are given up after
/// `maxAttempts`.
public struct NotificationStore: Sendable {
    public let pool: PostgresPool
    public let maxAttempts: Int
    /// How long a claim holds a row before another notifier may try it (a crashed notifier).
    public let lease: Duration

    public init(pool: PostgresPool, maxAttempts: Int = 6, lease: Duration = .seconds(600)) {
        self.pool = pool
        self.maxAttempts = maxAttempts
        self.lease = lease
    }

    /// Rows due for delivery, without claiming them (for `--dry-run`).
    public func pending(limit: Int = 1000) async throws -> [OutboxMessage] {
        try await pool.withConnection { connection in
            try connection.query(
                """
                SELECT n.id, r.ref, n.level, n.recipient, n.email, n.subject, n.body, n.attempts + 1 AS attempts, n.letter_id
                FROM notifications n JOIN requests r ON r.id = n.request_id
                WHERE n.delivered_at IS NULL AND n.failed_at IS NULL AND n.next_attempt_at <= now()
                ORDER BY n.next_attempt_at, n.id LIMIT \(limit)
                """
            ).rows.map(NotificationStore.notification(from:))
        }
    }

    /// Claims up to `limit` due rows for this notifier.
    public func claim(limit: Int = 100) async throws -> [OutboxMessage] {
        let leaseSeconds = Int(lease.components.seconds)
        return try await pool.withConnection { connection in
            try connection.query(
                """
                WITH claimed AS (
                    SELECT id FROM notifications
                    WHERE delivered_at IS NULL AND failed_at IS NULL AND next_attempt_at <= now()
                    ORDER BY next_attempt_at, id LIMIT \(limit)
                    FOR UPDATE SKIP LOCKED
                ),
                upd AS (
                    UPDATE notifications n SET attempts = n.attempts + 1, next_attempt_at = now() + make_interval(secs => \(leaseSeconds)::int)
                    FROM claimed WHERE n.id = claimed.id
                    RETURNING n.*
                )
                SELECT u.id, r.ref, u.level, u.recipient, u.email, u.subject, u.body, u.attempts
                FROM upd u JOIN requests r ON r.id = u.request_id ORDER BY u.id
                """
            ).rows.map(NotificationStore.notification(from:))
        }
    }

    /// Marks a claimed row delivered, and its letter (if it is one) sent.
    public func markDelivered(_ id: Int) async throws {
        try await pool.query(
            """
            WITH n AS (UPDATE notifications SET delivered_at = now(), last_error = NULL WHERE id = \(id) RETURNING letter_id),
            l AS (UPDATE letters SET status = 'sent', sent_at = now() FROM n WHERE letters.id = n.letter_id RETURNING letters.request_id)
            -- A letter that reached the requester is contact: it moves update_due.
            UPDATE requests SET last_contact = greatest(last_contact, (now() AT TIME ZONE 'Europe/London')::date)
            FROM l WHERE requests.id = l.request_id
            """)
    }

    /// Records a failed attempt: retried after a back-off, or given up after `maxAttempts`.
    /// Returns whether it was given up.
    /// A `permanent` failure (no address, an address refused for good) is given up at once.
    @discardableResult
    public func markFailed(_ id: Int, attempts: Int, error: String, permanent: Bool = false) async throws -> Bool {
        let giveUp = permanent || attempts >= maxAttempts
        let backoffMinutes = min(1 << min(attempts - 1, 8), 360)
        try await pool.query(
            """
            WITH n AS (
                UPDATE notifications
                SET last_error = \(String(error.prefix(1000))), failed_at = CASE WHEN \(giveUp) THEN now() END,
                    next_attempt_at = now() + make_interval(mins => \(backoffMinutes)::int)
                WHERE id = \(id)
                RETURNING letter_id, failed_at
            )
            UPDATE letters SET status = 'failed' FROM n WHERE letters.id = n.letter_id AND n.failed_at IS NOT NULL
            """)
        return giveUp
    }

    /// Claims and delivers everything due, with `deliver` (which throws on failure).
    public func deliverAll(batch: Int = 100, deliver: @Sendable (OutboxMessage) async throws -> Void) async throws -> DeliveryReport {
        var report = DeliveryReport()
        while true {
            let claimed = try await claim(limit: batch)
            if claimed.isEmpty { break }
            for notification in claimed {
                do {
                    guard let email = notification.email else {
                        let whose = notification.level == "letter" ? "the requester has" : notification.recipient.map { "user \($0) has" }
                        throw DeliveryError("\(whose ?? "nobody to notify:") no e-mail address", permanent: true)
                    }
                    // Rows written before addresses were checked at the door are checked here.
                    if let problem = EmailAddress.problem(email) {
                        throw DeliveryError("the recipient's address \(problem)", permanent: true)
                    }
                    try await deliver(notification)
                    try await markDelivered(notification.id)
                    report.delivered.append(notification.id)
                } catch let error as PostgresError {
                    throw error
                } catch {
                    let text = "\(error)"
                    let permanent = (error as? DeliveryError)?.permanent ?? false
                    if try await markFailed(notification.id, attempts: notification.attempts, error: text, permanent: permanent) {
                        report.gaveUp.append((notification.id, text))
                    } else {
                        report.retrying.append((notification.id, text))
                    }
                }
            }
        }
        return report
    }

    static func notification(from row: PostgresRow) throws -> OutboxMessage {
        OutboxMessage(
            id: try row.decode(Int.self, "id"), ref: try row.decode(String.self, "ref"), level: try row.decode(String.self, "level"),
            recipient: try row.decode(String?.self, "recipient"), email: try row.decode(String?.self, "email"),
            subject: try row.decode(String.self, "subject"), body: try row.decode(String.self, "body"),
            attempts: try row.decode(Int.self, "attempts"),
            letterID: row.hasColumn("letter_id") ? try row.decode(Int?.self, "letter_id") : nil)
    }
}

/// A delivery that did not go through: `permanent` when trying again cannot help (no
/// address, an address the mail system refused for good), so it is given up at once.
public struct DeliveryError: Error, CustomStringConvertible {
    public var description: String
    public var permanent: Bool
    public init(_ description: String, permanent: Bool = false) {
        self.description = description
        self.permanent = permanent
    }
}
