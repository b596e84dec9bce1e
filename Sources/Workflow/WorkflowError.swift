import LineProtocol

/// Why a command was refused or failed: the one error type of the domain and the store.
///
/// Each case says which `ErrorCode` it is, and so its protocol code and its exit status;
/// the text says what and why, for people.
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

    /// Which error it is: its protocol code and its exit status.
    public var code: ErrorCode {
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

extension WorkflowError: CodedError {}
