import Dates
import Deadlines
import Mail

/// Applies actions to requests: the transition table, the permission check,
/// field validation and the clock, over a set of calendars. Pure: no I/O;
/// `today` is given.
public struct WorkflowEngine: Sendable {
    public let calendars: CalendarSet
    public let authority: Authority
    /// The refusal grounds `respond` and `extend` cite.
    public let grounds: GroundsTable

    public init(calendars: CalendarSet, authority: Authority = Authority(), grounds: GroundsTable = .empty) {
        self.calendars = calendars
        self.authority = authority
        self.grounds = grounds
    }

    /// How many working days after a response a review may be asked for before the authority
    /// may decline it (ICO guidance on FOIA s.45 Code).
    public static let reviewWindow = 40
    /// A decision notice's steps are due this many calendar days after it (FOIA s.50(4)).
    public static let stepsDays = 35
    /// An appeal to the First-tier Tribunal within this many days of the decision notice.
    public static let appealDays = 28
    /// The requester of an ICO case when none is named.
    public static let icoRequester = "Information Commissioner's Office"

    // MARK: Create

    /// A new request from `CREATE` fields: its record (version 1) and the `create` event.
    /// `parent` describes the request named by `parent=`, when there is one (the store reads it).
    public func create(
        kind: RequestKind, fields: [Field], by actor: Actor, today: CivilDate, parent facts: ParentFacts? = nil
    ) throws(WorkflowError) -> (record: RequestRecord, details: RequestDetails, event: EventDraft) {
        try Permissions.require(actor.role, .create)
        let spec = TransitionTable.createSpec(for: kind)
        let values = try checkFields(fields, spec: spec)
        let received = try date(values["received"] ?? "", name: "received")
        guard received <= today else { throw .badArgument("received=\(received) is in the future (today is \(today))") }
        guard received >= WorkingDayCalendar.firstDate else {
            throw .badArgument("received=\(received) is before \(WorkingDayCalendar.firstDate)")
        }
        let requester = values["requester"] ?? (kind == .ico ? Self.icoRequester : "")
        guard !Self.isBlank(requester) else { throw .badArgument("requester must not be empty") }
        let contact = try values["contact"].map { text throws(WorkflowError) in try Self.preference(text) }
        try Self.checkReachable(contact: contact, phone: values["phone"])
        var calendar = authority.defaultCalendar(for: kind)
        if let text = values["calendar"] {
            guard let id = CalendarID(rawValue: text.lowercased()) else {
                throw .badArgument("calendar=\(text) is not one of \(CalendarID.names)")
            }
            calendar = id
        }
        try checkParent(values["parent"], of: kind)
        if let facts, !kind.parentKinds.isEmpty, !kind.parentKinds.contains(facts.kind) {
            throw .badArgument("a \(kind.rawValue)'s parent must be a \(kind.parentKinds.map(\.rawValue).sorted().joined(separator: " or ")) request")
        }
        var clock = StatutoryClock(received: received)
        var icoRef: String?
        if kind.rule == .setByOthers {
            // The ICO's letter sets the date our submission is due.
            let due = try date(values["due"] ?? "", name: "due")
            guard due >= received else { throw .badArgument("due=\(due) is before received=\(received)") }
            let reference = values["ico_ref"] ?? ""
            guard !Self.isBlank(reference) else { throw .badArgument("ico_ref must not be empty") }
            icoRef = reference
            clock.setDate = .init(on: received, event: "received", due: due, basis: "submission date set by the ICO")
        }
        // A review asked for long after the response may be declined, but is recorded.
        var requestedLate = false
        if kind == .review, let respondedOn = facts?.respondedOn, respondedOn < received {
            let days = try workingDays(from: respondedOn, to: received, calendar: calendar)
            requestedLate = days > Self.reviewWindow
        }
        let deadline = try derive(clock, kind: kind, calendar: calendar)
        let record = RequestRecord(
            kind: kind, state: .received, version: 1, received: received, calendar: calendar,
            clock: clock, due: deadline?.due, maxDue: deadline?.maxDue, parent: values["parent"])
        let details = RequestDetails(
            requester: requester, subject: values["subject"], email: values["email"], address: values["address"],
            phone: values["phone"], contact: contact, team: try Self.team(values["team"], for: actor), parent: values["parent"], icoRef: icoRef,
            requestedLate: requestedLate)
        let event = EventDraft(action: .create, from: nil, to: .received, fields: fields, due: record.due, effectiveOn: received)
        return (record, details, event)
    }

    // MARK: Act

    /// The record after `action` and the event that records it.
    /// Throws, changing nothing, when the action is not allowed or its fields are wrong.
    /// `requireApproval`: outcomes whose response needs a manager's `approve` since the last
    /// change (the authority's sign-off policy).
    public func act(
        _ action: Action, fields: [Field], by actor: Actor, today: CivilDate,
        on record: RequestRecord, expectedVersion: Int? = nil, requireApproval: Set<Outcome> = [], commitment: Commitment? = nil
    ) throws(WorkflowError) -> (record: RequestRecord, event: EventDraft) {
        guard action != .create else { throw .badArgument("use CREATE to create a request") }
        guard action != .reviewOutcome, action != .icoOutcome else {
            throw .badArgument("\(action.rawValue) is recorded by the review or ICO case itself")
        }
        try Permissions.require(actor.role, .act(action))
        if let expectedVersion, expectedVersion != record.version {
            throw .conflict("expected version \(expectedVersion), but the request is at version \(record.version)")
        }
        let spec = TransitionTable.spec(for: action)
        guard spec.kinds.contains(record.kind) else {
            if action == .extend, record.kind.rule.maxExtension == 0 {
                throw .invalidTransition("a \(record.kind.rawValue) cannot be extended")
            }
            throw .invalidTransition("\(action.rawValue) does not apply to \(record.kind.rawValue) requests")
        }
        guard spec.from.contains(record.state) else {
            let from = spec.from.map(\.rawValue).sorted().joined(separator: ", ")
            throw .invalidTransition("cannot \(action.rawValue) a request that is \(record.state.rawValue) (only from: \(from))")
        }
        let values = try checkFields(fields, spec: spec)
        var next = record
        var eventFields = fields
        var cited: [CitedGround] = []
        var trail: EventDraft.Trail?
        var effectiveOn = today
        next.state = spec.target(from: record.state, withSteps: values["steps"] != nil)

        /// The `on=` date: today by default, never in the future nor before receipt (or `notBefore`).
        func onDate(notBefore: CivilDate? = nil) throws(WorkflowError) -> CivilDate {
            let on: CivilDate
            if let text = values["on"] {
                on = try date(text, name: "on")
            } else {
                on = today
                eventFields.append(Field("on", today.description))
            }
            guard on <= today else { throw .badArgument("on=\(on) is in the future (today is \(today))") }
            guard on >= record.received else { throw .badArgument("on=\(on) is before the request was received (\(record.received))") }
            if let notBefore, on < notBefore { throw .badArgument("on=\(on) is before the clock was stopped (\(notBefore))") }
            effectiveOn = on
            return on
        }

        /// Ends the clock's stop for `reason` (`on=`, not before the day it stopped): the stop is
        /// recorded and the clock runs again. Returns the day it stopped and the day it ended.
        func resume(_ reason: StatutoryClock.StopReason) throws(WorkflowError) -> (stopped: CivilDate, on: CivilDate) {
            let stopped = record.clock.pausedSince ?? record.received
            let on = try onDate(notBefore: stopped)
            next.clock.stops.append(.init(reason: reason, from: stopped, to: on))
            next.clock.pausedSince = nil
            next.clock.pausedReason = nil
            return (stopped, on)
        }

        switch action {
        case .assign:
            let login = values["to"] ?? ""
            guard Self.isLogin(login) else { throw .badArgument("to=\(login) is not a valid login") }
            if login != actor.login { try Permissions.require(actor.role, .assignToOthers) }
            next.assignee = login
        case .clarify, .feeNotice, .idRequested:
            if let amount = values["amount"], Double(amount) == nil { throw .badArgument("amount=\(amount) is not a number") }
            next.clock.pausedSince = try onDate()
            next.clock.pausedReason = action == .clarify ? .clarification : action == .feeNotice ? .fee : .identity
        case .clarified:
            let (stoppedOn, on) = try resume(.clarification)
            switch record.kind.clarification {
            case .pausesCalendarDays:
                next.clock.pausedDays += stoppedOn.days(to: on)
            case .restartsCount:
                // s.1(3): the request is treated as received when the clarification arrives.
                next.clock.start = on
                next.clock.feePeriods = []
            }
        case .feePaid:
            let (noticeOn, on) = try resume(.fee)
            switch record.kind.feePayment {
            case .startsClock:
                next.clock.start = max(next.clock.start, on)
            case .disregardsWorkingDays:
                next.clock.feePeriods.append(.init(notice: noticeOn, paid: on))
            }
        case .idVerified:
            let (_, on) = try resume(.identity)
            next.clock.start = max(next.clock.start, on)
        case .extend:
            cited = try extend(&next.clock, record: record, values: values, on: try onDate(), eventFields: &eventFields)
        case .respond:
            let allowed = Outcome.allowed(for: record.kind)
            let outcomeText = (values["outcome"] ?? "").lowercased()
            guard let outcome = Outcome(rawValue: outcomeText), allowed.contains(outcome) else {
                throw .badArgument(
                    "outcome=\(values["outcome"] ?? "") is not one of \(allowed.map(\.rawValue).joined(separator: ", ")) (a \(record.kind.rawValue))")
            }
            if requireApproval.contains(outcome), record.approvedVersion != record.version {
                throw .invalidTransition(
                    "a \(outcome.rawValue) response needs a manager's approve since the last change (sign-off policy); submit it for approval")
            }
            cited = try responseGrounds(outcome, record: record, values: values)
            if requireApproval.contains(outcome) {
                // The approval binds what was put up for it: this outcome, these grounds.
                guard let proposed = record.proposedOutcome else {
                    throw .invalidTransition(
                        "the approval named no outcome: submit outcome=\(outcome.rawValue) exemptions=... for a manager's approve (sign-off policy)")
                }
                let grounds = Self.canonical(cited)
                guard proposed == outcome, (record.proposedExemptions ?? "") == (grounds ?? "") else {
                    let approved = [proposed.rawValue, record.proposedExemptions].compactMap { $0 }.joined(separator: " ")
                    let asked = [outcome.rawValue, grounds].compactMap { $0 }.joined(separator: " ")
                    throw .invalidTransition(
                        "a manager approved \(approved), not \(asked): submit this response for approval again (sign-off policy)")
                }
            }
            if outcome == .overturned, Self.isBlank(values["reason"] ?? "") {
                throw .badArgument("an overturned review needs reason=... (what was wrong: missed searches, the wrong exemption ...)")
            }
            next.outcome = outcome
            next.exemptions = cited.isEmpty ? nil : cited.map(\.cited).joined(separator: ", ")
            replace("exemptions", with: next.exemptions, in: &eventFields)
            next.respondedOn = try onDate()
            try Self.checkPublication(values, kind: record.kind, fields: &eventFields)
            if record.kind == .review {
                trail = .init(
                    action: .reviewOutcome,
                    fields: [Field("outcome", outcome.rawValue)] + (values["reason"].map { [Field("reason", $0)] } ?? []))
            }
        case .submitted:
            let on = try onDate(notBefore: record.clock.setDate?.on)
            next.clock.setDate = .init(on: on, event: "submission sent", due: nil, basis: "with the ICO")
        case .decision:
            let on = try onDate(notBefore: record.clock.setDate?.on)
            let outcome = try choice(values["outcome"], name: "outcome", of: ["upheld", "partly-upheld", "not-upheld"])
            let steps = try optionalText(values["steps"], name: "steps")
            next.appealBy = on.adding(days: Self.appealDays)
            next.clock.setDate = Self.ruling(on: on, event: "decision notice", steps: steps, otherwise: "decided: no steps to take")
            var fields = [Field("step", "decision"), Field("outcome", outcome)]
            if let steps { fields.append(Field("steps", steps)) }
            if let reference = values["dn_ref"] { fields.append(Field("dn_ref", reference)) }
            if let appealBy = next.appealBy { fields.append(Field("appeal_by", appealBy.description)) }
            trail = .init(action: .icoOutcome, fields: fields)
        case .complied:
            let on = try onDate(notBefore: record.clock.setDate?.on)
            next.clock.setDate = .init(on: on, event: "steps taken", due: nil, basis: "steps taken")
            trail = .init(action: .icoOutcome, fields: [Field("step", "complied")])
        case .appealed:
            let by = try choice(values["by"], name: "by", of: ["authority", "requester"])
            let on = try onDate(notBefore: record.clock.setDate?.on)
            if let appealBy = record.appealBy, on > appealBy {
                throw .invalidTransition("the appeal window closed on \(appealBy) (on=\(on)); a late appeal needs the tribunal's permission")
            }
            next.clock.setDate = .init(on: on, event: "appeal lodged", due: nil, basis: "at the tribunal: the steps wait")
            trail = .init(action: .icoOutcome, fields: [Field("step", "appealed"), Field("by", by)])
        case .tribunal:
            let on = try onDate(notBefore: record.clock.setDate?.on)
            let outcome = try choice(values["outcome"], name: "outcome", of: ["allowed", "allowed-in-part", "dismissed", "withdrawn"])
            let steps = try optionalText(values["steps"], name: "steps")
            next.clock.setDate = Self.ruling(on: on, event: "tribunal decision", steps: steps, otherwise: "closed by the tribunal's decision")
            var fields = [Field("step", "tribunal"), Field("outcome", outcome)]
            if let steps { fields.append(Field("steps", steps)) }
            trail = .init(action: .icoOutcome, fields: fields)
        case .transfer:
            let to = values["to"] ?? ""
            guard !Self.isBlank(to) else { throw .badArgument("to must name where the request went") }
            next.transferredTo = to
            _ = try onDate()
        case .withdraw:
            _ = try onDate()
        case .contacted:
            let method = values["method"] ?? ""
            guard ContactMethod(rawValue: method) != nil else {
                throw .badArgument("method=\(method) is not one of \(ContactMethod.names)")
            }
            if let letter = values["letter"], (Int(letter) ?? 0) <= 0 { throw .badArgument("letter=\(letter) is not a letter id") }
            let on = try onDate()
            next.lastContact = max(record.lastContact ?? on, on)
        case .reopen:
            // The clock as it was: a request whose clock was stopped (waiting for a clarification,
            // a fee or identity when it was withdrawn or lapsed) goes back to waiting, so the
            // answer can restart it; otherwise it is worked on with its due date.
            if record.clock.isStopped { next.state = Self.waitingState(record.clock.pausedReason) }
        case .approve:
            next.approvedVersion = record.version + 1
        case .submit:
            // What is put up for approval, checked as a response would be.
            if let outcomeText = values["outcome"] {
                let allowed = Outcome.allowed(for: record.kind)
                guard let outcome = Outcome(rawValue: outcomeText.lowercased()), allowed.contains(outcome) else {
                    throw .badArgument(
                        "outcome=\(outcomeText) is not one of \(allowed.map(\.rawValue).joined(separator: ", ")) (a \(record.kind.rawValue))")
                }
                let proposedGrounds = try responseGrounds(outcome, record: record, values: values)
                next.proposedOutcome = outcome
                next.proposedExemptions = Self.canonical(proposedGrounds)
                replace("exemptions", with: next.proposedExemptions, in: &eventFields)
            } else {
                guard values["exemptions"] == nil else { throw .badArgument("exemptions= goes with outcome= (what is put up for approval)") }
                next.proposedOutcome = nil
                next.proposedExemptions = nil
            }
        case .hold:
            guard let reason = values["reason"], !Self.isBlank(reason) else {
                throw .badArgument("hold needs reason=... (why the data must be kept)")
            }
            let until = try values["until"].map { text throws(WorkflowError) in try date(text, name: "until") }
            if let until, until < today { throw .badArgument("until=\(until) is in the past") }
            guard record.anonymisedOn == nil else { throw .invalidTransition("the request was anonymised; there is nothing left to hold") }
            next.hold = LegalHold(since: today, until: until)
        case .release:
            guard record.hold != nil else { throw .invalidTransition("the request is not on hold") }
            next.hold = nil
        case .acknowledge:
            guard next.clock.setDate == nil else {
                throw .invalidTransition("acknowledged already, on \(next.clock.setDate?.on.description ?? "")")
            }
            let on = try onDate()
            var due: CivilDate?
            if let commitment {
                do { due = try commitment.due(received: record.received, calendar: calendars[record.calendar]) } catch {
                    throw .badArgument("the published commitment's date is outside the calendar: \(error)")
                }
            }
            next.clock.setDate = .init(
                on: on, event: "acknowledged", due: due,
                basis: commitment.map { "the published commitment: \($0.text)" } ?? "acknowledged; no published commitment sets a date")
        case .estimate:
            let activity = values["activity"] ?? ""
            guard let chosen = CostActivity(rawValue: activity.lowercased()) else {
                throw .badArgument("activity=\(activity) is not one of \(CostActivity.names) (only these count, reg 4(3))")
            }
            let hours = values["hours"] ?? ""
            guard let quarters = CostLimit.quarters(hours) else {
                throw .badArgument("hours=\(hours) must be hours in quarters (0.25 to \(CostLimit.maxHoursPerEstimate))")
            }
            replace("activity", with: chosen.rawValue, in: &eventFields)
            replace("hours", with: CostLimit.hours(quarters: quarters), in: &eventFields)
        case .aggregate:
            let listed = (values["with"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            guard !listed.isEmpty else { throw .badArgument("with= names the other requests: with=FOI-2026-000124,FOI-2026-000130") }
            var refs: [String] = []
            for text in listed {
                guard let reference = RequestReference(text) else { throw .badArgument("with=\(text) is not a request reference") }
                guard !refs.contains(reference.description) else { throw .badArgument("with= names \(reference) twice") }
                refs.append(reference.description)
            }
            guard refs.count <= CostLimit.maxAggregated else {
                throw .badArgument("with= names \(refs.count) requests; at most \(CostLimit.maxAggregated)")
            }
            replace("with", with: refs.joined(separator: ","), in: &eventFields)
        case .link, .unlink:
            let other = values["to"] ?? ""
            guard let reference = RequestReference(other) else { throw .badArgument("to=\(other) is not a request reference") }
            let typeName = values["type"] ?? ""
            guard let type = LinkType(rawValue: typeName.lowercased()) else {
                throw .badArgument("type=\(typeName) is not one of \(LinkType.names)")
            }
            replace("type", with: type.rawValue, in: &eventFields)
            replace("to", with: reference.description, in: &eventFields)
            trail = .init(action: action, fields: [Field("type", type.rawValue)], target: reference.description)
        case .requesterViewed:
            guard let reason = values["reason"], !Self.isBlank(reason) else {
                throw .badArgument("REQUESTER needs reason=... (why the requester's other requests are looked at)")
            }
            guard record.anonymisedOn == nil else { throw .invalidTransition("the request was anonymised; it has no requester") }
        case .amend:
            guard record.anonymisedOn == nil else { throw .invalidTransition("the request was anonymised; there is nothing to amend") }
            guard fields.contains(where: { $0.key != "note" }) else {
                throw .badArgument("amend needs at least one of \(spec.optional.map { "\($0)=" }.joined(separator: " "))")
            }
            if let requester = values["requester"], Self.isBlank(requester) { throw .badArgument("requester must not be empty") }
            if let contact = values["contact"] { replace("contact", with: try Self.preference(contact).rawValue, in: &eventFields) }
            if values["team"] != nil, !TransitionTable.managers.contains(actor.role) {
                throw .denied("only a manager or an admin may move a request to another team")
            }
            if let team = values["team"] { _ = try Self.team(team, for: actor) }
        case .return, .close, .lapse, .escalate, .recalculate, .create, .reviewOutcome, .icoOutcome, .anonymised:
            break
        }
        if let due = trail.flatMap({ _ in next.clock.setDate?.due }), trail?.action == .icoOutcome {
            trail?.fields.append(Field("steps_due", due.description))
        }

        let deadline = try derive(next.clock, kind: next.kind, calendar: next.calendar)
        next.due = deadline?.due
        next.maxDue = deadline?.maxDue
        next.version = record.version + 1
        return (
            next,
            EventDraft(
                action: action, from: record.state, to: next.state, fields: eventFields, due: next.due, effectiveOn: effectiveOn,
                grounds: cited, trail: trail)
        )
    }

    /// The grounds a response cites, checked against its outcome: refused, partial and ncnd
    /// need one (ncnd one whose provision allows it), granted none.
    private func responseGrounds(_ outcome: Outcome, record: RequestRecord, values: [String: String]) throws(WorkflowError) -> [CitedGround] {
        let text = values["exemptions"].flatMap { Self.isBlank($0) ? nil : $0 }
        let cited = try text.map { text throws(WorkflowError) in try grounds.resolveList(text, kind: groundsKind(record)) } ?? []
        // A kind with no grounds in the table (a service complaint) is answered without one.
        if outcome.needsGround, cited.isEmpty, !grounds.grounds(for: groundsKind(record)).isEmpty {
            throw .badArgument(
                "outcome=\(outcome.rawValue) needs exemptions= naming at least one ground (GROUNDS kind=\(record.kind.rawValue) lists them)")
        }
        if outcome == .ncnd, !cited.contains(where: \.ground.ncnd) {
            let listed = cited.map(\.cited).joined(separator: ", ")
            throw .badArgument("outcome=ncnd needs a ground that allows neither confirming nor denying; \(listed) does not")
        }
        if outcome == .granted, !cited.isEmpty {
            throw .badArgument("outcome=granted releases everything: it cites no exemptions (use partial)")
        }
        return cited
    }

    /// Grounds as an approval compares them: each as cited, sorted, comma-separated; `nil` for none.
    static func canonical(_ grounds: [CitedGround]) -> String? {
        grounds.isEmpty ? nil : grounds.map(\.cited).sorted().joined(separator: ", ")
    }

    /// The date a ruling (a decision notice, a tribunal's decision) sets: with steps, due
    /// `stepsDays` calendar days after it; without, nothing due (`otherwise` says why).
    static func ruling(on: CivilDate, event: String, steps: String?, otherwise: String) -> StatutoryClock.SetDate {
        guard steps != nil else { return .init(on: on, event: event, due: nil, basis: otherwise) }
        return .init(on: on, event: event, due: on.adding(days: stepsDays), basis: "\(event) + \(stepsDays) calendar days")
    }

    /// The state that waits for the requester for a stop's reason (a clarification when unknown).
    static func waitingState(_ reason: StatutoryClock.StopReason?) -> RequestState {
        switch reason {
        case .fee: .awaitingFee
        case .identity: .awaitingID
        case .clarification, nil: .awaitingClarification
        }
    }

    /// The kind whose grounds a request cites: a review cites those of the request it reviews.
    private func groundsKind(_ record: RequestRecord) -> RequestKind {
        if record.kind == .review, let parent = record.parent.flatMap(RequestReference.init) { return parent.kind }
        return record.kind
    }

    /// Replaces the value of `key` in `fields` (removing it when `value` is `nil`).
    private func replace(_ key: String, with value: String?, in fields: inout [Field]) {
        guard let index = fields.firstIndex(where: { $0.key == key }) else { return }
        if let value { fields[index].value = value } else { fields.remove(at: index) }
    }

    private func choice(_ text: String?, name: String, of options: [String]) throws(WorkflowError) -> String {
        let value = (text ?? "").lowercased()
        guard options.contains(value) else {
            throw .badArgument("\(name)=\(text ?? "") is not one of \(options.joined(separator: ", "))")
        }
        return value
    }

    private func optionalText(_ text: String?, name: String) throws(WorkflowError) -> String? {
        guard let text else { return nil }
        guard !Self.isBlank(text) else { throw .badArgument("\(name) must not be empty when given") }
        return text
    }

    private func workingDays(from: CivilDate, to: CivilDate, calendar: CalendarID) throws(WorkflowError) -> Int {
        do {
            return try calendars[calendar].workingDaysBetween(from, to)
        } catch {
            throw .badArgument(error.description)
        }
    }

    /// The derivation of `record`'s due date day by day (up to `today` while its clock is
    /// stopped): the same walk that derived its `due`.
    public func explain(_ record: RequestRecord, today: CivilDate) throws(WorkflowError) -> Explanation {
        do {
            return try record.clock.explain(
                rule: record.kind.rule, calendar: calendars[record.calendar], received: record.received, today: today)
        } catch {
            throw .badArgument(error.description)
        }
    }

    /// The record with its due date derived again over these calendars, or `nil` if it did not move.
    public func recalculated(_ record: RequestRecord) throws(WorkflowError) -> RequestRecord? {
        let deadline = try derive(record.clock, kind: record.kind, calendar: record.calendar)
        guard deadline?.due != record.due || deadline?.maxDue != record.maxDue else { return nil }
        var next = record
        next.due = deadline?.due
        next.maxDue = deadline?.maxDue
        return next
    }

    // MARK: Helpers

    private func extend(
        _ clock: inout StatutoryClock, record: RequestRecord, values: [String: String], on: CivilDate,
        eventFields: inout [Field]
    ) throws(WorkflowError) -> [CitedGround] {
        guard let due = record.due else { throw .invalidTransition("the clock is stopped: there is no due date to extend") }
        guard on <= due else {
            let when = values["on"] == nil ? "today is \(on)" : "on=\(on)"
            throw .invalidTransition("an extension must be taken on or before the due date \(due) (\(when))")
        }
        guard !Self.isBlank(values["reason"] ?? "") else { throw .badArgument("reason must not be empty") }
        if values["days"] != nil, values["months"] != nil { throw .badArgument("give days=N or months=N, not both") }
        let rule = record.kind.rule
        let field = rule.extensionField
        if ["days", "months"].contains(where: { $0 != field && values[$0] != nil }) {
            throw .badArgument("\(record.kind.rawValue) is extended in \(rule.unitName): \(field)=N")
        }
        let left = rule.maxExtension - clock.extensionTaken(under: rule)
        guard left > 0 else {
            throw .invalidTransition("this request already has the full \(rule.maxExtension)-\(rule.unitAdjective) extension")
        }
        let amount = try count(values[field], name: field) ?? left
        guard amount <= left else {
            throw .badArgument("\(field)=\(amount): at most \(left) more \(rule.unitName) (\(rule.lengths.extended) in all)")
        }
        let text = values["exemptions"].flatMap { Self.isBlank($0) ? nil : $0 }
        let cited = try text.map { text throws(WorkflowError) in try grounds.resolveList(text, kind: groundsKind(record)) } ?? []
        if record.kind.extensionNeedsQualifiedExemption {
            // FOIA s.10(3): only while the public interest in a qualified exemption is weighed.
            guard !cited.isEmpty else {
                throw .badArgument("a \(record.kind.rawValue) extension (FOIA s.10(3)) needs exemptions= naming a qualified exemption, e.g. s31")
            }
            guard cited.contains(where: \.ground.pit) else {
                let listed = cited.map(\.cited).joined(separator: ", ")
                throw .badArgument("exemptions=\(listed): a public-interest extension needs a qualified exemption; these are absolute or procedural")
            }
        }
        replace("exemptions", with: cited.isEmpty ? nil : cited.map(\.cited).joined(separator: ", "), in: &eventFields)
        if values[field] == nil { eventFields.append(Field(field, String(amount))) }
        switch rule {
        case .workingDays: clock.extensionDays += amount
        case .calendarMonths: clock.extensionMonths += amount
        case .setByOthers, .calendarDays: break  // no extension (maxExtension is 0)
        }
        clock.extensions.append(.init(on: on, amount: amount))
        return cited
    }

    private func derive(_ clock: StatutoryClock, kind: RequestKind, calendar: CalendarID) throws(WorkflowError) -> Deadline? {
        do {
            return try clock.deadline(rule: kind.rule, calendar: calendars[calendar])
        } catch {
            throw .badArgument(error.described(countingFrom: clock.start))
        }
    }

    /// A kind that reviews another needs `parent=REF` of a kind it may review; others may name any request.
    private func checkParent(_ parent: String?, of kind: RequestKind) throws(WorkflowError) {
        guard let parent else {
            if !kind.parentKinds.isEmpty {
                let kinds = RequestKind.allCases.filter(kind.parentKinds.contains).map(\.referencePrefix).joined(separator: " or ")
                throw .badArgument("a \(kind.rawValue) needs parent=REF, the \(kinds) request it concerns")
            }
            return
        }
        guard let reference = RequestReference(parent) else { throw .badArgument("parent=\(parent) is not a request reference") }
        if !kind.parentKinds.isEmpty, !kind.parentKinds.contains(reference.kind) {
            let kinds = RequestKind.allCases.filter(kind.parentKinds.contains).map(\.referencePrefix).joined(separator: " or ")
            throw .badArgument("a \(kind.rawValue)'s parent must be an \(kinds) request, not \(parent)")
        }
    }

    /// The team a new request belongs to: an officer or manager of a team creates (and imports)
    /// into that team only, which is also the default; admins, and users with no team, name any.
    static func team(_ named: String?, for actor: Actor) throws(WorkflowError) -> String? {
        guard let scope = actor.scope else { return named }
        if let named, named != scope {
            throw .denied("team=\(named): a \(actor.role.rawValue) of team \(scope) creates requests for that team only")
        }
        return scope
    }

    /// Whether `user` may lead a request of `team`: an active officer or manager who may see it
    /// (of that team, or of none; a request of no team is everyone's).
    public static func assigneeProblem(_ login: String, role: Role?, team: String?, disabled: Bool, requestTeam: String?) -> String? {
        guard let role else { return "no user '\(login)' to assign to" }
        guard !disabled else { return "'\(login)' is disabled and cannot be assigned" }
        guard Role.leads.contains(role) else {
            return "'\(login)' is \(role == .admin ? "an" : "a") \(role.rawValue); only an officer or a manager can lead a request"
        }
        if let team, let requestTeam, !Actor.sees(scope: team, team: requestTeam) {
            return "'\(login)' is in team \(team) and cannot see this request (team \(requestTeam))"
        }
        return nil
    }

    /// The kinds whose responses the disclosure log may publish.
    public static let publishable: Set<RequestKind> = [.foi, .eir]

    /// `respond publish=yes publish_title=TEXT` or `publish=no publish_reason=TEXT`: whether the
    /// response goes on the disclosure log, under a title written for the public, or why not.
    static func checkPublication(_ values: [String: String], kind: RequestKind, fields: inout [Field]) throws(WorkflowError) {
        let title = values["publish_title"].flatMap { isBlank($0) ? nil : $0 }
        let reason = values["publish_reason"].flatMap { isBlank($0) ? nil : $0 }
        guard let text = values["publish"] else {
            if title != nil || reason != nil { throw .badArgument("publish_title and publish_reason go with publish=yes or publish=no") }
            return
        }
        guard publishable.contains(kind) else {
            throw .badArgument("publish= is for FOI and EIR responses (the disclosure log); a \(kind.rawValue) is not published")
        }
        switch text.lowercased() {
        case "yes":
            guard let title else { throw .badArgument("publish=yes needs publish_title=... (a title fit to publish: no names)") }
            guard title.count <= 200, !title.contains("\n") else { throw .badArgument("publish_title must be one line of at most 200 characters") }
            guard reason == nil else { throw .badArgument("publish=yes takes publish_title, not publish_reason") }
        case "no":
            guard reason != nil else { throw .badArgument("publish=no needs publish_reason=... (why it is not published)") }
            guard title == nil else { throw .badArgument("publish=no takes publish_reason, not publish_title") }
        default:
            throw .badArgument("publish=\(text) is not yes or no")
        }
        if let at = fields.firstIndex(where: { $0.key == "publish" }) { fields[at].value = text.lowercased() }
    }

    /// What `amend` refuses by name: what identifies the request or sets its clock.
    static let unamendable: Set<String> = ["ref", "kind", "received", "due", "calendar", "parent", "ico_ref", "state", "version"]

    /// A preferred contact method (`contact=`): one a letter can go by.
    static func preference(_ text: String) throws(WorkflowError) -> ContactMethod {
        guard let method = ContactMethod(rawValue: text.lowercased()), ContactMethod.preferences.contains(method) else {
            throw .badArgument("contact=\(text) is not one of \(ContactMethod.preferenceNames)")
        }
        return method
    }

    /// A requester who asks to be telephoned must have given a number.
    static func checkReachable(contact: ContactMethod?, phone: String?) throws(WorkflowError) {
        if contact == .phone, phone.map(isBlank) ?? true {
            throw .badArgument("contact=phone needs phone=NUMBER (the number to call)")
        }
    }

    /// The request's details after `amend` with `fields` (checked by `act` first): each field
    /// given replaces the request's value; a blank one (other than the requester) removes it.
    public static func amended(_ details: RequestDetails, with fields: [Field]) throws(WorkflowError) -> RequestDetails {
        var next = details
        func value(_ text: String) -> String? { isBlank(text) ? nil : text }
        for field in fields {
            switch field.key {
            case "requester": next.personal.requester = field.value
            case "email": next.personal.email = value(field.value)
            case "address": next.personal.address = value(field.value)
            case "phone": next.personal.phone = value(field.value)
            case "subject": next.personal.subject = value(field.value)
            case "contact": next.contact = try preference(field.value)
            case "team": next.team = value(field.value)
            default: continue
            }
        }
        try checkReachable(contact: next.contact, phone: next.personal.phone)
        return next
    }

    /// Refuses unknown and missing fields; returns the values by key.
    private func checkFields(_ fields: [Field], spec: ActionSpec) throws(WorkflowError) -> [String: String] {
        let allowed = Set(spec.required + spec.optional + ["note"])
        var values: [String: String] = [:]
        for field in fields {
            if spec.action == .amend, !allowed.contains(field.key), Self.unamendable.contains(field.key) {
                throw .badArgument(
                    "amend cannot change \(field.key): the reference, the kind and the dates are the request's record (it takes: \(spec.optional.joined(separator: ", ")))"
                )
            }
            guard allowed.contains(field.key) else {
                let list = (spec.required + spec.optional + ["note"]).joined(separator: ", ")
                let what = spec.action == .create ? "CREATE \(spec.kinds.map(\.rawValue).sorted().joined(separator: ", "))" : spec.action.rawValue
                throw .badArgument("\(what) does not take '\(field.key)' (it takes: \(list))")
            }
            guard values[field.key] == nil else { throw .badArgument("'\(field.key)' given twice") }
            try HostileText.check(field.value, field: field.key)
            // `amend` removes a value given blank; otherwise an e-mail or a number must be one.
            let removing = spec.action == .amend && Self.isBlank(field.value)
            if field.key == "email", !removing, let problem = EmailAddress.problem(field.value) {
                throw .badArgument("email= \(problem)")
            }
            if field.key == "phone", !removing, let problem = TelephoneNumber.problem(field.value) {
                throw .badArgument("phone= \(problem)")
            }
            values[field.key] = field.value
        }
        for key in spec.required where values[key] == nil {
            throw .badArgument("\(spec.action.rawValue) needs \(key)=...")
        }
        return values
    }

    private func date(_ text: String, name: String) throws(WorkflowError) -> CivilDate {
        guard let date = CivilDate(iso: text) else { throw .badArgument("\(name)=\(text) is not a valid date (YYYY-MM-DD)") }
        return date
    }

    private func count(_ text: String?, name: String) throws(WorkflowError) -> Int? {
        guard let text else { return nil }
        guard let value = Int(text), value > 0 else { throw .badArgument("\(name)=\(text) is not a whole number above 0") }
        return value
    }

    /// Empty or only white space.
    public static func isBlank(_ text: String) -> Bool {
        text.allSatisfy(\.isWhitespace)
    }

    /// A lower-case letter, then up to 62 of `a-z 0-9 . _ -` (as users' logins).
    public static func isLogin(_ text: String) -> Bool {
        let utf8 = Array(text.utf8)
        guard let first = utf8.first, first >= UInt8(ascii: "a"), first <= UInt8(ascii: "z"), utf8.count <= 63 else { return false }
        return utf8.allSatisfy {
            ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9"))
                || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-")
        }
    }
}
