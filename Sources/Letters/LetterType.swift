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

/// A phrase letters use, chosen by one fact of the request: a small template of its own
/// (`Templates/phrase-NAME.mustache`), so an authority's folder can reword it like any letter.
/// Each case of the fact is a section flag (`kind_sar`, `outcome_not_held`, `state_in_progress`).
public enum Phrase: String, Sendable, CaseIterable {
    /// What happens next (acknowledgement), by kind: `what_next`.
    case whatNext = "what-next"
    /// The outcome of an answer (response, refusal, review outcome): `outcome_text`.
    case outcomeText = "outcome-text"
    /// Where a request stands (progress update): `state_text`.
    case stateText = "state-text"

    /// The template's file name, without `.mustache`.
    public var file: String { "phrase-\(rawValue)" }

    /// The section flag of a fact's case: `prefix_case`, any hyphen written `_`.
    public static func flag(_ prefix: String, _ value: String) -> String {
        prefix + "_" + value.replacingOccurrences(of: "-", with: "_")
    }
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
