import Deadlines

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
    /// An ICO case: our submission is with the ICO (nothing due until it decides).
    case withICO = "with_ico"
    /// An ICO case: a decision notice (or the tribunal) requires steps by a date.
    case stepsDue = "steps_due"
    /// An ICO case: decided with no steps to take (an appeal may still follow, by `appeal_by`).
    case decided
    /// An ICO case: an appeal is at the First-tier Tribunal; the steps wait (FOIA s.50(6)).
    case atTribunal = "at_tribunal"

    /// Open: still owed an answer (paused ones included).
    public var isOpen: Bool {
        switch self {
        case .responded, .closed, .withdrawn, .lapsed, .transferred, .decided: false
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

/// How a request was answered (an internal review: how the original answer stood up).
public enum Outcome: String, Sendable, CaseIterable, Codable {
    case granted, partial, refused
    case notHeld = "not-held"
    case ncnd
    /// A review: the original response stands.
    case upheld
    /// A review: it stands in part (more is released, or another ground is relied on).
    case upheldInPart = "upheld-in-part"
    /// A review: the original response was wrong.
    case overturned

    public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// The outcomes a request of `kind` may be answered with (`respond outcome=`).
    public static func allowed(for kind: RequestKind) -> [Outcome] {
        switch kind {
        case .foi, .eir, .sar, .complaint, .dpc: [.granted, .partial, .refused, .notHeld, .ncnd]
        case .review: [.upheld, .upheldInPart, .overturned]
        case .ico: []
        }
    }

    /// Whether a response with this outcome must name at least one refusal ground.
    public var needsGround: Bool { self == .refused || self == .partial || self == .ncnd }
}

/// How the requester prefers to be contacted.
public enum ContactMethod: String, Sendable, CaseIterable, Codable {
    case email, post, phone
    /// Met in person: a contact an officer records (`contacted method=in-person`), never a way
    /// a letter goes.
    case inPerson = "in-person"

    /// The ways a requester may ask to be answered (`contact=`), and so the ways letters go.
    public static let preferences: [ContactMethod] = allCases.filter { $0 != .inPerson }

    /// Every method, as `contacted method=` takes them.
    public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
    public static var preferenceNames: String { preferences.map(\.rawValue).joined(separator: ", ") }
}

/// How two requests are linked (`ACT ref link to=REF type=...`): the same or similar
/// information asked twice, by one person or several.
public enum LinkType: String, Sendable, CaseIterable, Codable {
    case related
    /// The same request sent twice.
    case duplicate
    /// One request sent to many authorities alike: answered alike.
    case roundRobin = "round-robin"
    /// Requesters who appear to act together or in a campaign (FOIA s.12(4), reg 5: their
    /// requests can be aggregated for the cost limit).
    case inConcert = "in-concert"
    /// A request repeating one answered before (FOIA s.14(2)).
    case `repeat`

    public static var names: String { allCases.map(\.rawValue).joined(separator: "|") }
}
