import Postgres
import Workflow

/// The version of the users table as the server last saw it, so that sessions can tell
/// cheaply whether their user must be checked again.
///
/// Every change to users bumps `credentials_state.version` and sends a notification (see
/// `sql/0007_credentials.sql`). A listener on its own connection passes notifications to
/// `observe(_:)` within milliseconds of the commit; as a safety net (the listener may be
/// reconnecting) the version is also read from the database when the last reading is older
/// than `maxAge`. When the database cannot be reached the last version is kept: nothing
/// can be revoked while it is down.
public final class CredentialsWatch: Sendable {
    /// The notification channel the trigger uses.
    public static let channel = "foiflow_credentials"

    public let pool: PostgresPool
    /// Never moves backwards: a notification may arrive before the reading it overtook.
    private let reading: RecentReading<Int>

    public var maxAge: Duration { reading.maxAge }

    public init(pool: PostgresPool, maxAge: Duration = .seconds(1)) {
        self.pool = pool
        self.reading = RecentReading(maxAge: maxAge) { before, read in max(before ?? read, read) }
    }

    /// The current version: from memory when recent, else read from the database.
    public func current() async throws -> Int {
        try await reading.value { [pool] _ in
            try await pool.query("SELECT version FROM credentials_state WHERE id = 1").first?.decode(Int.self, "version") ?? 0
        }
    }

    /// Records a version seen in a notification (never moves backwards).
    public func observe(_ version: Int, at instant: ContinuousClock.Instant = .now) {
        reading.record(version, at: instant)
    }

    /// Forgets the cached version, so the next `current()` reads the database
    /// (after the listener reconnects: notifications sent meanwhile were lost).
    public func invalidate() {
        reading.forget()
    }

    /// A listener that keeps this watch up to date; start it with the server, stop it after.
    public func listener(url: String) -> PostgresListener {
        PostgresListener(
            url: url, channel: CredentialsWatch.channel,
            onNotification: { [self] notification in
                if let version = Int(notification.payload) { observe(version) } else { invalidate() }
            },
            onReconnect: { [self] in invalidate() })
    }
}

/// The token a session authenticated with, carried into its writes: CREATE and ACT refuse
/// to write (`WorkflowError.revoked`) when, in the statement's own snapshot, the token is no
/// longer the active user's. So no write of a revoked session can land, even in the
/// milliseconds before the server hears of the revocation; reads may, for at most that long.
public struct Credential: Sendable, Equatable {
    public var userID: Int
    public var tokenHash: [UInt8]

    public init(userID: Int, tokenHash: [UInt8]) {
        self.userID = userID
        self.tokenHash = tokenHash
    }

    var tokenBytes: PostgresBytes { PostgresBytes(tokenHash) }

    static let revokedMessage = "the session's credentials were revoked; authenticate again"
}
