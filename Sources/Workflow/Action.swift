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
    /// ICO case: our submission went to the ICO.
    case submitted
    /// ICO case: the decision notice (`outcome`, `steps`, `dn_ref`).
    case decision
    /// ICO case: the steps were taken.
    case complied
    /// ICO case: an appeal to the First-tier Tribunal (`by=authority|requester`).
    case appealed
    /// ICO case: the tribunal's decision (`outcome`, `steps`).
    case tribunal
    /// A contact made by hand (a call, a posted letter); with `letter=ID` it closes that task.
    case contacted
    /// The nightly job: a fee or clarification not received in time (FOIA s.9(2)).
    case lapse
    /// The nightly job: a deadline close or past.
    case escalate
    /// The calendar changed and moved the due date.
    case recalculate
    /// On a request: an internal review of it was answered (`ref`, `outcome`, `reason`).
    case reviewOutcome = "review-outcome"
    /// On a request: its ICO case moved on (`ref`, `step`, `outcome`, `steps`).
    case icoOutcome = "ico-outcome"
    /// A legal hold (`reason`, `until`): while it stands, the request and everything linked to
    /// it keep their personal data.
    case hold
    /// The legal hold is lifted.
    case release
    /// The retention schedule or an erasure removed the request's personal data (`basis`).
    case anonymised
    /// A data-protection complaint acknowledged (`on`): its 30-day clock stops; the published
    /// commitment, if one is set, is due next.
    case acknowledge
    /// Adds to the request's s.12 cost estimate (`activity`, `hours`): FOI only.
    case estimate
    /// Records the requests whose costs are added together for the s.12 limit (`with`: the
    /// others, FOIA s.12(4) and reg 5): FOI only.
    case aggregate
    /// Linked to another request (`to`, `type`); the other request gets a `link` event too.
    case link
    /// A link taken away (`to`, `type`); on both requests.
    case unlink
    /// A manager looked at the requester's other requests (`REQUESTER`), and said why (`reason`).
    case requesterViewed = "requester-viewed"
    /// A correction of the requester's details, the subject or (managers) the team: the fields
    /// given replace the request's; the next letters use them.
    case amend

    /// Whether the action is casework, which the retention schedule counts from: not a legal
    /// hold or its release, the nightly job's escalations and recalculations, a look at the
    /// requester's other requests, or the anonymisation itself (`foiflow_is_casework` in SQL;
    /// SchemaTests checks they agree).
    public var isCasework: Bool {
        switch self {
        case .hold, .release, .anonymised, .escalate, .recalculate, .requesterViewed, .link, .unlink, .amend: false
        case .create, .assign, .clarify, .clarified, .feeNotice, .feePaid, .idRequested, .idVerified, .extend, .submit, .approve,
            .return, .respond, .close, .withdraw, .reopen, .transfer, .submitted, .decision, .complied, .appealed, .tribunal, .contacted,
            .lapse, .reviewOutcome, .icoOutcome, .estimate, .aggregate, .acknowledge:
            true
        }
    }

    /// Parses an action name, case-insensitively.
    public init?(name: String) {
        self.init(rawValue: name.lowercased())
    }

    /// Actions someone may take with `ACT`, in `allCases` order: those whose transition-table
    /// row lets a person (an officer, a manager or an admin) take them with `ACT`. The rest are
    /// the system's (calendar changes, the trail a review or an ICO case leaves on its parent),
    /// `CREATE`, or taken by a command of their own (`REQUESTER`).
    public static let actable: [Action] = allCases.filter { action in
        let row = TransitionTable.spec(for: action)
        return !row.from.isEmpty && row.command == "ACT" && !row.roles.isDisjoint(with: [.officer, .manager, .admin])
    }

    public static var actableNames: String { actable.map(\.rawValue).joined(separator: ", ") }

    /// The action `ACT` names: a known action someone may take with it; `nil` otherwise.
    public init?(actName name: String) {
        guard let action = Action(name: name), Action.actable.contains(action) else { return nil }
        self = action
    }
}
