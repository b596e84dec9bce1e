import Deadlines

/// One row of the transition table: where an action may start, where it leads,
/// what it takes, who may take it, and for which kinds.
public struct ActionSpec: Sendable {
    /// Where the action leads.
    public enum Target: Sendable, Equatable {
        /// Always to this state.
        case state(RequestState)
        /// The state does not change.
        case same
        /// `received` becomes `in_progress`; other states stay (assigning starts the work).
        case startWork
        /// `steps_due` when the action gives `steps=`, else this state (an ICO decision).
        case stepsDueOr(RequestState)
    }

    public var action: Action
    public var from: Set<RequestState>
    public var to: Target
    /// Fields that must be given.
    public var required: [String]
    /// Fields that may be given (`note` is allowed everywhere).
    public var optional: [String]
    public var roles: Set<Role>
    public var kinds: Set<RequestKind>
    /// What it does to the statutory clock, in words (for documentation and errors).
    public var clock: String
    /// The protocol command that takes it (`ACT` for most).
    public var command = "ACT"

    /// The state after the action, from `state`, given whether it names steps to take.
    public func target(from state: RequestState, withSteps: Bool = false) -> RequestState {
        switch to {
        case .state(let next): next
        case .same: state
        case .startWork: state == .received ? .inProgress : state
        case .stepsDueOr(let otherwise): withSteps ? .stepsDue : otherwise
        }
    }
}

/// The transition table: the one place that says what may happen to a request.
public enum TransitionTable {
    static let open = Set(RequestState.open)
    static let running: Set<RequestState> = [.received, .inProgress]
    static let people: Set<Role> = [.officer, .manager, .admin]
    static let managers: Set<Role> = [.manager, .admin]
    static let allKinds = Set(RequestKind.allCases)
    /// The kinds we answer (every kind but an ICO case, whose dates others set).
    static let answerable = allKinds.filter { $0.rule != .setByOthers }
    static let icoKinds = allKinds.filter { $0.rule == .setByOthers }

    /// Every action's row, in `Action.allCases` order.
    public static let specs: [ActionSpec] = Action.allCases.map(row)

    /// The `create` row for a request of `kind`: an ICO case names the request complained
    /// about, the ICO's reference and the date it set for our submission; a requester is optional.
    public static func createSpec(for kind: RequestKind) -> ActionSpec {
        var spec = spec(for: .create)
        spec.kinds = [kind]
        if kind.rule == .setByOthers {
            spec.required = ["received", "parent", "ico_ref", "due"]
            spec.optional = ["requester", "subject", "email", "team", "calendar"]
        }
        return spec
    }

    /// The row for `action`.
    public static func spec(for action: Action) -> ActionSpec {
        byAction[action] ?? row(action)
    }

    private static let byAction = Dictionary(uniqueKeysWithValues: specs.map { ($0.action, $0) })

    /// The kinds whose rule allows an extension.
    static let extendable = Set(RequestKind.allCases.filter { $0.rule.maxExtension > 0 })

    /// The table itself: one row per action, complete because the switch is.
    private static func row(_ action: Action) -> ActionSpec {
        switch action {
        case .create:
            ActionSpec(
                action: .create, from: [], to: .state(.received), required: ["received", "requester"],
                optional: ["subject", "email", "address", "phone", "contact", "team", "parent", "calendar"],
                roles: people, kinds: allKinds, clock: "starts the clock on the date received")
        case .assign:
            ActionSpec(
                action: .assign, from: open, to: .startWork, required: ["to"], optional: [],
                roles: people, kinds: allKinds, clock: "none")
        case .clarify:
            ActionSpec(
                action: .clarify, from: running, to: .state(.awaitingClarification), required: [], optional: ["on"],
                roles: people, kinds: answerable, clock: "stops the clock")
        case .clarified:
            ActionSpec(
                action: .clarified, from: [.awaitingClarification], to: .state(.inProgress), required: [], optional: ["on"],
                roles: people, kinds: answerable,
                clock: "FOI/EIR/review/complaint: a fresh clock from the date (FOIA s.1(3)); SAR: the paused days do not count")
        case .feeNotice:
            ActionSpec(
                action: .feeNotice, from: running, to: .state(.awaitingFee), required: [], optional: ["on", "amount"],
                roles: people, kinds: [.foi, .eir, .sar], clock: "stops the clock")
        case .feePaid:
            ActionSpec(
                action: .feePaid, from: [.awaitingFee], to: .state(.inProgress), required: [], optional: ["on"],
                roles: people, kinds: [.foi, .eir, .sar],
                clock:
                    "FOI/EIR: working days from the notice to the payment, both days included, are disregarded (s.10(2)); SAR: the month runs from payment"
            )
        case .idRequested:
            ActionSpec(
                action: .idRequested, from: running, to: .state(.awaitingID), required: [], optional: ["on"],
                roles: people, kinds: [.sar], clock: "stops the clock")
        case .idVerified:
            ActionSpec(
                action: .idVerified, from: [.awaitingID], to: .state(.inProgress), required: [], optional: ["on"],
                roles: people, kinds: [.sar], clock: "the month runs from the date identity was verified")
        case .extend:
            ActionSpec(
                action: .extend, from: [.received, .inProgress, .awaitingApproval], to: .same, required: ["reason"],
                optional: ["days", "months", "on", "exemptions"], roles: managers, kinds: extendable,
                clock:
                    "FOI: up to 20 more working days, naming a qualified exemption; EIR and review: 40 in all; SAR: months=2 (three months in all); on or before the due date (on=)"
            )
        case .submit:
            ActionSpec(
                action: .submit, from: [.inProgress], to: .state(.awaitingApproval), required: [], optional: ["outcome", "exemptions"],
                roles: people, kinds: answerable, clock: "none")
        case .approve:
            ActionSpec(
                action: .approve, from: [.awaitingApproval], to: .state(.inProgress), required: [], optional: [],
                roles: managers, kinds: answerable, clock: "none")
        case .return:
            ActionSpec(
                action: .return, from: [.awaitingApproval], to: .state(.inProgress), required: [], optional: [],
                roles: managers, kinds: answerable, clock: "none")
        case .respond:
            ActionSpec(
                action: .respond, from: running, to: .state(.responded), required: ["outcome"],
                optional: ["exemptions", "on", "reason", "public_interest", "publish", "publish_title", "publish_reason"],
                roles: people, kinds: answerable, clock: "the request is answered")
        case .close:
            ActionSpec(
                action: .close, from: [.responded, .decided], to: .state(.closed), required: [], optional: [],
                roles: people, kinds: allKinds, clock: "none")
        case .withdraw:
            ActionSpec(
                action: .withdraw, from: open, to: .state(.withdrawn), required: [], optional: ["on"],
                roles: people, kinds: allKinds, clock: "ends it")
        case .reopen:
            ActionSpec(
                action: .reopen, from: [.responded, .closed, .withdrawn, .lapsed, .transferred], to: .state(.inProgress),
                required: [], optional: [], roles: managers, kinds: answerable, clock: "the clock as it was")
        case .transfer:
            ActionSpec(
                action: .transfer, from: open, to: .state(.transferred), required: ["to"], optional: ["on"],
                roles: people, kinds: answerable, clock: "ends it")
        case .submitted:
            ActionSpec(
                action: .submitted, from: [.received, .inProgress], to: .state(.withICO), required: [], optional: ["on"],
                roles: people, kinds: icoKinds, clock: "our submission is with the ICO: nothing is due until it decides")
        case .decision:
            ActionSpec(
                action: .decision, from: [.received, .inProgress, .withICO], to: .stepsDueOr(.decided), required: ["on", "outcome"],
                optional: ["steps", "dn_ref"], roles: people, kinds: icoKinds,
                clock: "with steps: due 35 calendar days after the notice; appeal_by 28 days after it either way")
        case .complied:
            ActionSpec(
                action: .complied, from: [.stepsDue], to: .state(.closed), required: [], optional: ["on"],
                roles: people, kinds: icoKinds, clock: "ends it")
        case .appealed:
            ActionSpec(
                action: .appealed, from: [.stepsDue, .decided], to: .state(.atTribunal), required: ["by"], optional: ["on"],
                roles: people, kinds: icoKinds, clock: "the steps wait while the tribunal decides (FOIA s.50(6))")
        case .tribunal:
            ActionSpec(
                action: .tribunal, from: [.atTribunal], to: .stepsDueOr(.closed), required: ["on", "outcome"], optional: ["steps"],
                roles: people, kinds: icoKinds, clock: "with steps: due 35 calendar days after the tribunal's decision")
        case .contacted:
            ActionSpec(
                action: .contacted, from: Set(RequestState.allCases), to: .same, required: ["method"], optional: ["on", "letter"],
                roles: people, kinds: allKinds, clock: "none")
        case .lapse:
            ActionSpec(
                action: .lapse, from: [.awaitingFee, .awaitingClarification], to: .state(.lapsed), required: [],
                optional: ["reason"], roles: [.system, .admin], kinds: allKinds, clock: "ends it")
        case .escalate:
            ActionSpec(
                action: .escalate, from: open, to: .same, required: ["level"], optional: ["due"],
                roles: [.system, .admin], kinds: allKinds, clock: "none")
        case .recalculate:
            ActionSpec(
                action: .recalculate, from: Set(RequestState.allCases), to: .same, required: [], optional: ["reason"],
                roles: [.system], kinds: allKinds, clock: "the calendar changed")
        case .reviewOutcome:
            ActionSpec(
                action: .reviewOutcome, from: Set(RequestState.allCases), to: .same, required: ["ref", "outcome"], optional: ["reason"],
                roles: [.system], kinds: RequestKind.review.parentKinds, clock: "none (the review's own clock)")
        case .hold:
            ActionSpec(
                action: .hold, from: Set(RequestState.allCases), to: .same, required: ["reason"], optional: ["until"],
                roles: managers, kinds: allKinds, clock: "none (its personal data is kept while the hold stands)")
        case .release:
            ActionSpec(
                action: .release, from: Set(RequestState.allCases), to: .same, required: [], optional: [],
                roles: managers, kinds: allKinds, clock: "none (the retention schedule applies again)")
        case .anonymised:
            ActionSpec(
                action: .anonymised, from: Set(RequestState.allCases.filter { !$0.isOpen }), to: .same, required: ["basis"],
                optional: [], roles: [.system], kinds: allKinds, clock: "none (its personal data is removed)")
        case .acknowledge:
            ActionSpec(
                action: .acknowledge, from: running, to: .same, required: [], optional: ["on"], roles: people,
                kinds: allKinds.filter(\.rule.endsWithAcknowledgement),
                clock: "stops the 30-day clock (DPA 2018 s.164A); the published commitment, if any, is due next")
        case .estimate:
            ActionSpec(
                action: .estimate, from: open, to: .same, required: ["activity", "hours"], optional: [], roles: people, kinds: [.foi],
                clock: "none (adds to the s.12 estimate: determining, locating, retrieving, extracting, at £25 an hour)")
        case .aggregate:
            ActionSpec(
                action: .aggregate, from: open, to: .same, required: ["with"], optional: [], roles: people, kinds: [.foi],
                clock: "none (the requests whose costs are added together, FOIA s.12(4))")
        case .link, .unlink:
            ActionSpec(
                action: action, from: Set(RequestState.allCases), to: .same, required: ["to", "type"], optional: [],
                roles: people, kinds: allKinds, clock: "none (both requests get the event)")
        case .requesterViewed:
            ActionSpec(
                action: .requesterViewed, from: Set(RequestState.allCases), to: .same, required: ["reason"], optional: [],
                roles: managers, kinds: allKinds, clock: "none (who looked at the requester's other requests, and why)",
                command: "REQUESTER")
        case .amend:
            ActionSpec(
                action: .amend, from: Set(RequestState.allCases), to: .same, required: [],
                optional: ["requester", "email", "address", "phone", "contact", "subject", "team"], roles: people, kinds: allKinds,
                clock: "none (corrects the requester's details or the subject; the team by managers; the next letters use them)")
        case .icoOutcome:
            ActionSpec(
                action: .icoOutcome, from: Set(RequestState.allCases), to: .same, required: ["ref", "step"],
                optional: ["outcome", "steps", "dn_ref", "by", "steps_due", "appeal_by"], roles: [.system],
                kinds: RequestKind.ico.parentKinds, clock: "none (the ICO case's own dates)")
        }
    }
}

extension ActionSpec {
    /// The fields in one line, required first: `outcome= [exemptions= on= reason= public_interest=]`
    /// (`note=` is taken by every action and left out). Help in the CLI and the protocol's `HELP`
    /// print it.
    public var fieldSynopsis: String {
        let required = self.required.map { "\($0)=" }
        let optional = self.optional.isEmpty ? [] : ["[" + self.optional.map { "\($0)=" }.joined(separator: " ") + "]"]
        let all = required + optional
        return all.isEmpty ? "(no fields)" : all.joined(separator: " ")
    }

    /// Who may take it, for help: `managers` when an officer may not.
    public var whoMay: String {
        let people = Role.allCases.filter { roles.contains($0) && $0 != .system }.map(\.rawValue)
        return people.joined(separator: ", ")
    }
}

extension TransitionTable {
    /// The fields whose values are a list, or a date, in words (`HELP ACT`, `request act --help`).
    public static let fieldValues: [(field: String, values: String)] = [
        ("outcome", Outcome.allCases.map(\.rawValue).joined(separator: ", ")),
        ("method", ContactMethod.names),
        ("contact", ContactMethod.preferenceNames),
        ("type", LinkType.allCases.map(\.rawValue).joined(separator: ", ")),
        ("activity", CostActivity.allCases.map(\.rawValue).joined(separator: ", ")),
        ("on, until", "a date, YYYY-MM-DD"),
        ("to", "a login (assign), a request's reference (link, unlink) or another authority (transfer)"),
    ]
}
