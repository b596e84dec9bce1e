/// The error codes of protocol version 1 (`ERR CODE text`).
public enum ErrorCode: String, Sendable, CaseIterable {
    case badFormat = "BAD_FORMAT"
    case lineTooLong = "LINE_TOO_LONG"
    case unknownCommand = "UNKNOWN_COMMAND"
    case badArgument = "BAD_ARGUMENT"
    case authRequired = "AUTH_REQUIRED"
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
}

/// A failure to be answered with `ERR code message`.
public struct ProtocolError: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: ErrorCode
    public var message: String

    public init(_ code: ErrorCode, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue) \(message)" }
}
