/// Where a request is in its life.
public enum RequestState: String, Sendable, CaseIterable, Codable {
    case received
    case awaitingClarification = "awaiting_clarification"
    case awaitingFee = "awaiting_fee"
    case awaitingID = "awaiting_id"
    case inProgress = "in_progress"
    case awaitingApproval = "awaiting_approval"
    case responded
    case closed
    case withdrawn
    case lapsed
    case transferred

    /// Open: still owed an answer (paused ones included).
    public var isOpen: Bool {
        switch self {
        case .responded, .closed, .withdrawn, .lapsed, .transferred: false
        default: true
        }
    }

    /// Waiting for the requester, with the statutory clock stopped.
    public var isPaused: Bool {
        self == .awaitingClarification || self == .awaitingFee || self == .awaitingID
    }

    public static let open: [RequestState] = allCases.filter(\.isOpen)

    /// The names accepted, for error messages.
    public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

/// How a request was answered.
public enum Outcome: String, Sendable, CaseIterable, Codable {
    case granted, partial, refused
    case notHeld = "not-held"
    case ncnd

    public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

/// How the requester prefers to be contacted.
public enum ContactMethod: String, Sendable, CaseIterable, Codable {
    case email, post, phone

    public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
