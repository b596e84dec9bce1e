/// The one list of error codes: each is a line-protocol code (`ERR CODE text`, version 1) and
/// the CLI's exit status for the same failure. Every error type says which it is by conforming
/// to `CodedError`, as Hummingbird's errors say their HTTP status.
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

    /// The CLI's exit status (the README and `foiflow --help` document them): 1 failure,
    /// 2 usage or bad input, 3 not found, 4 conflict, 5 unavailable or busy (retry),
    /// 6 denied, 7 not allowed in the request's current state.
    public var exitStatus: Int32 {
        switch self {
        case .badFormat, .lineTooLong, .unknownCommand, .badArgument: 2
        case .notFound: 3
        case .conflict, .idempotencyMismatch: 4
        case .unavailable, .busy: 5
        case .authRequired, .authFailed, .denied: 6
        case .invalidTransition: 7
        case .timeout, .internal: 1
        }
    }
}

/// An error that says which code it is: the protocol answers `ERR CODE text` with it, the CLI
/// exits with its `exitStatus`.
public protocol CodedError: Error {
    var code: ErrorCode { get }
}

/// A failure to be answered with `ERR code message`.
public struct ProtocolError: CodedError, Sendable, Equatable, CustomStringConvertible {
    public var code: ErrorCode
    public var message: String

    public init(_ code: ErrorCode, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue) \(message)" }
}
