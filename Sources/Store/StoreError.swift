import Postgres

/// A failure of a store operation, with what the caller needs to answer it.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Input that cannot be accepted; the text names the field.
    case invalid(String)
    /// No such thing (request, user).
    case notFound(String)
    /// A uniqueness or version conflict.
    case conflict(String)
    /// An idempotency key reused for different content.
    case idempotencyMismatch(String)

    public var description: String {
        switch self {
        case .invalid(let text), .notFound(let text), .conflict(let text), .idempotencyMismatch(let text): text
        }
    }
}
