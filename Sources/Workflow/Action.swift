/// Something done to a request. Each one is an event in its history.
public enum Action: String, Sendable, CaseIterable, Codable {
    case create
    case assign
    case clarify
    case clarified
    case feeNotice = "fee-notice"
    case feePaid = "fee-paid"
    case idRequested = "id-requested"
    case idVerified = "id-verified"
    case extend
    case submit
    case approve
    case `return`
    case respond
    case close
    case withdraw
    case reopen
    case transfer
    /// A contact made by hand (a call, a posted letter); with `letter=ID` it closes that task.
    case contacted
    /// The nightly job: a fee or clarification not received in time (FOIA s.9(2)).
    case lapse
    /// The nightly job: a deadline close or past.
    case escalate
    /// The calendar changed and moved the due date.
    case recalculate

    /// Parses an action name, case-insensitively.
    public init?(name: String) {
        self.init(rawValue: name.lowercased())
    }

    /// Actions a person may take with `ACT` (the rest are the system's).
    public static let userActions: [Action] = allCases.filter { ![.create, .lapse, .escalate, .recalculate].contains($0) }

    public static var userActionNames: String { userActions.map(\.rawValue).joined(separator: ", ") }
}
