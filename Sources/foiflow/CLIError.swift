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

    /// Maps errors from the store and the database to a message and exit status.
    static func from(_ error: any Error) -> any Error {
        switch error {
        case let error as CLIError:
            return error
        case let error as StoreError:
            switch error {
            case .invalid(let text): return CLIError(text, exitCode: .usage)
            case .notFound(let text): return CLIError(text, exitCode: .notFound)
            case .conflict(let text): return CLIError(text, exitCode: .conflict)
            case .idempotencyMismatch(let text): return CLIError(text, exitCode: .conflict)
            }
        case let error as WorkflowError:
            switch error {
            case .badArgument(let text): return CLIError(text, exitCode: .usage)
            case .denied(let text): return CLIError(text, exitCode: .denied)
            case .invalidTransition(let text): return CLIError(text, exitCode: .invalidTransition)
            case .conflict(let text): return CLIError(text, exitCode: .conflict)
            case .notFound(let text): return CLIError(text, exitCode: .notFound)
            }
        case let error as MigrationError:
            return CLIError("migrate: \(error)")
        case let error as PostgresError where error.isUnavailable:
            return CLIError("database unavailable: \(error.message)", exitCode: .unavailable)
        case let error as PostgresError:
            return CLIError("database error: \(error)")
        default:
            return error
        }
    }
}

extension CLIError: CustomStringConvertible {
    var description: String { message }
}
