/// The letters foiflow writes to requesters, one template each.
public enum LetterType: String, Sendable, CaseIterable, Codable {
    case acknowledgement
    case clarification
    case feeNotice = "fee-notice"
    case `extension`
    case response
    case refusal
    case transfer
    case lapse
    case reviewOutcome = "review-outcome"
    case progressUpdate = "progress-update"

    /// The names accepted, for error messages.
    public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

/// How a letter reaches the requester.
public enum LetterChannel: String, Sendable, CaseIterable, Codable {
    /// Sent by `foiflow notify` through the outbox.
    case email
    /// A task for the lead officer until recorded done.
    case post
    /// A task for the lead officer until recorded done.
    case phone
}
