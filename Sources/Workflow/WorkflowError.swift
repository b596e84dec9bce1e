/// Why a command was refused or failed: the one error type of the domain and the store.
///
/// Each case says which `Failure` it is, and so its protocol code and its exit status
/// (see `Failure`); the text says what and why, for people.
public enum WorkflowError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A missing, unknown or malformed argument.
    case badArgument(String)
    /// The role may not do this.
    case denied(String)
    /// Not allowed from the request's current state, or at this time.
    case invalidTransition(String)
    /// The caller's expected version is not the current one, or the thing already exists.
    case conflict(String)
    /// No such request, user or holiday.
    case notFound(String)
    /// An idempotency key reused for different content.
    case idempotencyMismatch(String)
    /// The database holds something the code does not expect (a bug, or a hand edit).
    case inconsistent(String)
    /// The acting session's token was revoked (user disabled, removed, token rotated).
    case revoked(String)
    /// Too much concurrent change to finish now, without `expect=`: retry later.
    case busy(String)

    /// What kind of failure this is.
    public var failure: Failure {
        switch self {
        case .badArgument: .badArgument
        case .denied: .denied
        case .invalidTransition: .invalidTransition
        case .conflict: .conflict
        case .notFound: .notFound
        case .idempotencyMismatch: .idempotencyMismatch
        case .inconsistent: .internal
        case .revoked: .authFailed
        case .busy: .busy
        }
    }

    public var description: String {
        switch self {
        case .badArgument(let text), .denied(let text), .invalidTransition(let text), .conflict(let text), .notFound(let text), .busy(let text),
            .idempotencyMismatch(let text), .inconsistent(let text), .revoked(let text):
            text
        }
    }
}

/// The kinds of failure foiflow reports, each with its line-protocol code and the CLI's exit
/// status: the one table both are read from.
public enum Failure: String, Sendable, CaseIterable {
    case badArgument = "BAD_ARGUMENT"
    case authFailed = "AUTH_FAILED"
    case denied = "DENIED"
    case notFound = "NOT_FOUND"
    case conflict = "CONFLICT"
    case idempotencyMismatch = "IDEMPOTENCY_MISMATCH"
    case invalidTransition = "INVALID_TRANSITION"
    case unavailable = "UNAVAILABLE"
    case timeout = "TIMEOUT"
    case busy = "BUSY"
    case `internal` = "INTERNAL"

    /// The code of `ERR CODE text` in the line protocol.
    public var protocolCode: String { rawValue }

    /// The exit status of the CLI (README and `foiflow --help` document them).
    public var exitStatus: Int32 {
        switch self {
        case .badArgument: 2
        case .notFound: 3
        case .conflict, .idempotencyMismatch: 4
        case .unavailable, .busy: 5
        case .denied, .authFailed: 6
        case .invalidTransition: 7
        case .timeout, .internal: 1
        }
    }
}

/// An error that knows which `Failure` it is.
public protocol ClassifiedError: Error {
    var failure: Failure { get }
}

extension WorkflowError: ClassifiedError {}
