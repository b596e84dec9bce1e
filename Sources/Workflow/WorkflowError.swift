/// Why an action or a request was refused. Each maps to one protocol error code.
public enum WorkflowError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A missing, unknown or malformed argument (`BAD_ARGUMENT`).
    case badArgument(String)
    /// The role may not do this (`DENIED`).
    case denied(String)
    /// Not allowed from the request's current state, or at this time (`INVALID_TRANSITION`).
    case invalidTransition(String)
    /// The caller's expected version is not the current one (`CONFLICT`).
    case conflict(String)
    /// No such request (`NOT_FOUND`).
    case notFound(String)

    public var description: String {
        switch self {
        case .badArgument(let text), .denied(let text), .invalidTransition(let text), .conflict(let text), .notFound(let text): text
        }
    }
}
