import ArgumentParser
import LineProtocol
import Postgres
import Store
import Workflow

/// A failure reported as one line on stderr, exiting with its code's `exitStatus` (the one
/// list of codes, `ErrorCode`, that the protocol answers with too).
struct CLIError: Error {
    var message: String
    var code: ErrorCode

    init(_ message: String, code: ErrorCode = .internal) {
        self.message = message
        self.code = code
    }

    /// Errors from the store and the database as a message and their code; `nil` for an
    /// error that says no code (ArgumentParser's own).
    static func from(_ error: any Error) -> CLIError? {
        if let error = error as? CLIError { return error }
        guard let coded = error as? any CodedError else { return nil }
        switch error {
        case let error as MigrationError: return CLIError("migrate: \(error)", code: coded.code)
        case let error as PostgresError where error.kind == .configuration:
            return CLIError("database configuration: \(error.message) (check DATABASE_URL)", code: .badArgument)
        case let error as PostgresError where coded.code == .unavailable:
            return CLIError("database unavailable: \(error.message)", code: coded.code)
        case let error as PostgresError: return CLIError("database error: \(error.withoutDetail)", code: coded.code)
        default: return CLIError("\(error)", code: coded.code)
        }
    }
}

extension CLIError: CustomStringConvertible {
    var description: String { message }
}
