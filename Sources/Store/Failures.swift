import LineProtocol
import Postgres
import Workflow

/// Database failures as error codes: unreachable is `unavailable` (retry later), a statement
/// over the time limit is `timeout`, anything else is `internal`.
extension PostgresError: CodedError {
    public var code: ErrorCode {
        if sqlState == SQLState.queryCanceled { return .timeout }
        if isUnavailable { return .unavailable }
        // Bad settings: to a client, the database is out of reach (the CLI says more: exit 2).
        if kind == .configuration { return .unavailable }
        return .internal
    }
}

/// A migration that cannot be applied is the operator's to fix: a failure, not bad input.
extension MigrationError: CodedError {
    public var code: ErrorCode { .internal }
}

extension PostgresError {
    /// An integrity constraint (SQLSTATE class 23) or a data exception (class 22): the input
    /// broke a rule of the database, which is bad input, never an internal failure.
    public var isIntegrityOrDataError: Bool {
        guard let sqlState else { return false }
        return sqlState.hasPrefix("23") || sqlState.hasPrefix("22")
    }

    /// The rule an integrity or data error broke, for people: the constraint's name, or the
    /// database's message, never its detail (which quotes the values, personal data among them).
    public var ruleBroken: String {
        constraint.map { "it breaks the database's rule \($0)" } ?? message
    }
}
