import Postgres
import Workflow

/// Database failures in the terms of `Failure`: unreachable is `unavailable` (retry later),
/// a statement over the time limit is `timeout`, anything else is `internal`.
extension PostgresError: ClassifiedError {
    public var failure: Failure {
        if sqlState == SQLState.queryCanceled { return .timeout }
        if isUnavailable { return .unavailable }
        // Bad settings: to a client, the database is out of reach (the CLI says more: exit 2).
        if kind == .configuration { return .unavailable }
        return .internal
    }
}

/// A migration that cannot be applied is the operator's to fix: a failure, not bad input.
extension MigrationError: ClassifiedError {
    public var failure: Failure { .internal }
}
