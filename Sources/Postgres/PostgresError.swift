/// An error from PostgreSQL, from libpq, or from decoding a result.
///
/// Server errors carry the fields PostgreSQL reports (SQLSTATE, message,
/// detail, hint, constraint); the other kinds carry a message naming the problem.
public struct PostgresError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, broadly.
    public enum Kind: String, Sendable {
        /// The connection could not be opened.
        case connectionFailed
        /// The connection settings are wrong: a malformed URL or option, a database or role that
        /// does not exist, authentication refused. Retrying will not help; the operator must fix it.
        case configuration
        /// The connection broke during a command (server gone, backend terminated).
        case connectionLost
        /// The server answered with an error (see `sqlState`).
        case server
        /// A value could not be decoded as the type asked for.
        case decoding
        /// No connection became free within the pool's lease timeout.
        case poolTimeout
        /// The pool has been shut down.
        case poolClosed
        /// A parameter cannot be sent (it contains a NUL character).
        case invalidParameter
    }

    public var kind: Kind
    /// The five-character SQLSTATE, e.g. `23505` for a unique violation.
    public var sqlState: String?
    /// The primary message.
    public var message: String
    public var detail: String?
    public var hint: String?
    /// The constraint that was violated, when there is one.
    public var constraint: String?

    public init(
        _ kind: Kind, _ message: String, sqlState: String? = nil,
        detail: String? = nil, hint: String? = nil, constraint: String? = nil
    ) {
        self.kind = kind
        self.message = message
        self.sqlState = sqlState
        self.detail = detail
        self.hint = hint
        self.constraint = constraint
    }

    /// True for errors that mean the database could not be reached or the
    /// connection was lost; nothing was committed by the failed command.
    public var isUnavailable: Bool {
        switch kind {
        case .connectionFailed, .connectionLost, .poolTimeout, .poolClosed: return true
        case .server:
            // Class 08: connection exception; 57P01-57P03: admin/crash shutdown, cannot connect now.
            guard let state = sqlState else { return false }
            return state.hasPrefix("08") || ["57P01", "57P02", "57P03"].contains(state)
        case .decoding, .invalidParameter, .configuration: return false
        }
    }

    /// libpq's words for a connection that failed because of its settings, not the network.
    static let configurationMessages = [
        "does not exist", "invalid connection option", "invalid URI", "in URI", "in connection string", "missing \"=\"", "invalid integer value",
        "authentication failed", "unterminated quoted string", "invalid sslmode value", "invalid port number",
        "could not translate host name",
    ]

    /// A failed connection, as `configuration` when its message says the settings are wrong.
    public static func connecting(_ message: String) -> PostgresError {
        let kind: Kind = configurationMessages.contains { message.contains($0) } ? .configuration : .connectionFailed
        return PostgresError(kind, "cannot connect to PostgreSQL: \(message)")
    }

    public var description: String { describe(withDetail: true) }

    /// The error as a log may show it: without the detail, which quotes the row's values
    /// (personal data among them).
    public var withoutDetail: String { describe(withDetail: false) }

    private func describe(withDetail: Bool) -> String {
        var text = sqlState.map { "\($0): \(message)" } ?? message
        if withDetail, let detail { text += " (\(detail))" }
        if let constraint { text += " [constraint \(constraint)]" }
        return text
    }
}

/// Well-known SQLSTATE codes used by callers.
public enum SQLState {
    public static let uniqueViolation = "23505"
    public static let foreignKeyViolation = "23503"
    public static let checkViolation = "23514"
    public static let serializationFailure = "40001"
    public static let deadlockDetected = "40P01"
    public static let queryCanceled = "57014"
    public static let raiseException = "P0001"
}
