import Dates
import Deadlines

/// Applies actions to requests: the transition table, the permission check,
/// field validation and the clock, over a set of calendars. Pure: no I/O;
/// `today` is given.
public struct WorkflowEngine: Sendable {
    public let calendars: CalendarSet
    public let authority: Authority

    public init(calendars: CalendarSet, authority: Authority = Authority()) {
        self.calendars = calendars
        self.authority = authority
    }

    // MARK: Create

    /// A new request from `CREATE` fields: its record (version 1) and the `create` event.
    public func create(
        kind: RequestKind, fields: [Field], by actor: Actor, today: CivilDate
    ) throws(WorkflowError) -> (record: RequestRecord, details: RequestDetails, event: EventDraft) {
        try Permissions.require(actor.role, .create)
        let spec = TransitionTable.spec(for: .create)
        let values = try checkFields(fields, spec: spec)
        let received = try date(values["received"] ?? "", name: "received")
        guard received <= today else { throw .badArgument("received=\(received) is in the future (today is \(today))") }
        guard received >= WorkingDayCalendar.firstDate else {
            throw .badArgument("received=\(received) is before \(WorkingDayCalendar.firstDate)")
        }
        let requester = values["requester"] ?? ""
        guard !Self.isBlank(requester) else { throw .badArgument("requester must not be empty") }
        var contact: ContactMethod?
        if let text = values["contact"] {
            guard let method = ContactMethod(rawValue: text.lowercased()) else {
                throw .badArgument("contact=\(text) is not one of \(ContactMethod.names)")
            }
            contact = method
        }
        var calendar = authority.defaultCalendar(for: kind)
        if let text = values["calendar"] {
            guard let id = CalendarID(rawValue: text.lowercased()) else {
                throw .badArgument("calendar=\(text) is not one of \(CalendarID.names)")
            }
            calendar = id
        }
        try checkParent(values["parent"], of: kind)
        let clock = StatutoryClock(received: received)
        let deadline = try derive(clock, kind: kind, calendar: calendar)
        let record = RequestRecord(
            kind: kind, state: .received, version: 1, received: received, calendar: calendar,
            clock: clock, due: deadline?.due, maxDue: deadline?.maxDue)
        let details = RequestDetails(
            requester: requester, subject: values["subject"], email: values["email"], address: values["address"],
            contact: contact, team: values["team"], parent: values["parent"])
        let event = EventDraft(action: .create, from: nil, to: .received, fields: fields, due: record.due)
        return (record, details, event)
    }

    // MARK: Act

    /// The record after `action` and the event that records it.
    /// Throws, changing nothing, when the action is not allowed or its fields are wrong.
    public func act(
        _ action: Action, fields: [Field], by actor: Actor, today: CivilDate,
        on record: RequestRecord, expectedVersion: Int? = nil
    ) throws(WorkflowError) -> (record: RequestRecord, event: EventDraft) {
        guard action != .create else { throw .badArgument("use CREATE to create a request") }
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
        next.state = spec.target(from: record.state)

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
            return on
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
            let stoppedOn = record.clock.pausedSince ?? record.received
            let on = try onDate(notBefore: stoppedOn)
            next.clock.stops.append(.init(reason: .clarification, from: stoppedOn, to: on))
            switch record.kind.clarification {
            case .pausesCalendarDays:
                next.clock.pausedDays += stoppedOn.days(to: on)
            case .restartsCount:
                // s.1(3): the request is treated as received when the clarification arrives.
                next.clock.start = on
                next.clock.feePeriods = []
            }
            next.clock.pausedSince = nil
            next.clock.pausedReason = nil
        case .feePaid:
            let noticeOn = record.clock.pausedSince ?? record.received
            let on = try onDate(notBefore: noticeOn)
            next.clock.stops.append(.init(reason: .fee, from: noticeOn, to: on))
            switch record.kind.feePayment {
            case .startsClock:
                next.clock.start = max(next.clock.start, on)
            case .disregardsWorkingDays:
                next.clock.feePeriods.append(.init(notice: noticeOn, paid: on))
            }
            next.clock.pausedSince = nil
            next.clock.pausedReason = nil
        case .idVerified:
            let askedOn = record.clock.pausedSince ?? record.received
            let on = try onDate(notBefore: askedOn)
            next.clock.stops.append(.init(reason: .identity, from: askedOn, to: on))
            next.clock.start = max(next.clock.start, on)
            next.clock.pausedSince = nil
            next.clock.pausedReason = nil
        case .extend:
            try extend(&next.clock, record: record, values: values, on: try onDate(), eventFields: &eventFields)
        case .respond:
            guard let outcome = Outcome(rawValue: (values["outcome"] ?? "").lowercased()) else {
                throw .badArgument("outcome=\(values["outcome"] ?? "") is not one of \(Outcome.names)")
            }
            next.outcome = outcome
            next.exemptions = values["exemptions"]
            next.respondedOn = try onDate()
        case .transfer:
            let to = values["to"] ?? ""
            guard !Self.isBlank(to) else { throw .badArgument("to must name where the request went") }
            next.transferredTo = to
            _ = try onDate()
        case .withdraw:
            _ = try onDate()
        case .contacted:
            let method = values["method"] ?? ""
            guard ["email", "post", "phone", "in-person"].contains(method) else {
                throw .badArgument("method=\(method) is not one of email, post, phone, in-person")
            }
            if let letter = values["letter"], (Int(letter) ?? 0) <= 0 { throw .badArgument("letter=\(letter) is not a letter id") }
            let on = try onDate()
            next.lastContact = max(record.lastContact ?? on, on)
        case .submit, .approve, .return, .close, .reopen, .lapse, .escalate, .recalculate, .create:
            break
        }

        let deadline = try derive(next.clock, kind: next.kind, calendar: next.calendar)
        next.due = deadline?.due
        next.maxDue = deadline?.maxDue
        next.version = record.version + 1
        return (next, EventDraft(action: action, from: record.state, to: next.state, fields: eventFields, due: next.due))
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
    ) throws(WorkflowError) {
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
        if record.kind.extensionNeedsQualifiedExemption {
            // FOIA s.10(3): only while the public interest in a qualified exemption is weighed.
            guard let text = values["exemptions"], !Self.isBlank(text) else {
                throw .badArgument("a \(record.kind.rawValue) extension (FOIA s.10(3)) needs exemptions= naming a qualified exemption, e.g. s31")
            }
            let codes = try FOIAExemption.parseList(text)
            guard codes.contains(where: \.isQualified) else {
                let listed = codes.map(\.description).joined(separator: ", ")
                throw .badArgument("exemptions=\(listed): a public-interest extension needs a qualified exemption; these are absolute or procedural")
            }
        }
        if values[field] == nil { eventFields.append(Field(field, String(amount))) }
        switch rule {
        case .workingDays: clock.extensionDays += amount
        case .calendarMonths: clock.extensionMonths += amount
        }
        clock.extensions.append(.init(on: on, amount: amount))
    }

    private func derive(_ clock: StatutoryClock, kind: RequestKind, calendar: CalendarID) throws(WorkflowError) -> Deadline? {
        do {
            return try clock.deadline(rule: kind.rule, calendar: calendars[calendar])
        } catch {
            throw .badArgument(error.description)
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

    /// Refuses unknown and missing fields; returns the values by key.
    private func checkFields(_ fields: [Field], spec: ActionSpec) throws(WorkflowError) -> [String: String] {
        let allowed = Set(spec.required + spec.optional + ["note"])
        var values: [String: String] = [:]
        for field in fields {
            guard allowed.contains(field.key) else {
                let list = (spec.required + spec.optional + ["note"]).joined(separator: ", ")
                throw .badArgument("\(spec.action.rawValue) does not take '\(field.key)' (it takes: \(list))")
            }
            guard values[field.key] == nil else { throw .badArgument("'\(field.key)' given twice") }
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
    static func isBlank(_ text: String) -> Bool {
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
