import ArgumentParser
import Postgres
import Store
import Workflow

/// The process exit statuses foiflow documents.
enum ExitStatus: Int32 {
    case ok = 0
    case failure = 1
    case usage = 2
    case notFound = 3
    case conflict = 4
    case unavailable = 5
    case denied = 6
    case invalidTransition = 7
}

/// A failure reported as one line on stderr with a documented exit status.
struct CLIError: Error {
    var message: String
    var exitCode: ExitStatus

    init(_ message: String, exitCode: ExitStatus = .failure) {
        self.message = message
        self.exitCode = exitCode
    }

    /// Maps errors from the store and the database to a message and the exit status their
    /// `Failure` gives.
    static func from(_ error: any Error) -> any Error {
        if let error = error as? CLIError { return error }
        guard let classified = error as? any ClassifiedError else { return error }
        let status = ExitStatus(rawValue: classified.failure.exitStatus) ?? .failure
        switch error {
        case let error as MigrationError: return CLIError("migrate: \(error)", exitCode: status)
        case let error as PostgresError where error.kind == .configuration:
            return CLIError("database configuration: \(error.message) (check DATABASE_URL)", exitCode: .usage)
        case let error as PostgresError where classified.failure == .unavailable:
            return CLIError("database unavailable: \(error.message)", exitCode: status)
        case let error as PostgresError: return CLIError("database error: \(error.withoutDetail)", exitCode: status)
        default: return CLIError("\(error)", exitCode: status)
        }
    }
}

extension CLIError: CustomStringConvertible {
    var description: String { message }
}
