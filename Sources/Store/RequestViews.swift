import Dates
import Deadlines
import Foundation
import Workflow

/// A request as SHOW, LIST and RISK present it.
public struct RequestView: Sendable, Equatable {
    public var ref: String
    public var kind: RequestKind
    public var state: RequestState
    public var version: Int
    public var received: CivilDate
    public var calendar: CalendarID
    public var due: CivilDate?
    public var maxDue: CivilDate?
    public var assignee: String?
    public var team: String?
    public var requester: String
    public var subject: String?
    public var email: String?
    public var address: String?
    public var phone: String?
    public var contact: String?
    public var parent: String?
    public var outcome: String?
    public var exemptions: String?
    public var respondedOn: CivilDate?
    public var transferredTo: String?
    /// An ICO case: the ICO's reference.
    public var icoRef: String?
    /// An ICO case: the last day to appeal the decision notice.
    public var appealBy: CivilDate?
    /// A review asked for more than 40 working days after the response (the authority may decline it).
    public var requestedLate: Bool = false
    /// The reference it had in the spreadsheet it was imported from.
    public var legacyRef: String?
    /// The reviews of this request, by ref (comma-separated): SHOW only.
    public var reviews: String?
    /// The ICO cases about this request, by ref (comma-separated): SHOW only.
    public var icoCases: String?
    /// Requests linked to this one, `REF:type` (comma-separated): SHOW only.
    public var links: String?
    /// An answered FOI or EIR request by the same requester asking much the same (a hint for
    /// FOIA s.14(2), never a refusal): SHOW only.
    public var possibleRepeat: String?
    /// Working days from the reference date to the due date (0 = due that day, negative = overdue).
    public var daysLeft: Int?
    /// When a progress update to the requester falls due (open requests).
    public var updateDue: CivilDate?
    /// Letters waiting on the lead officer (post, phone, or a value missing): RISK only.
    public var tasks: Int?
    /// The date the authority's published commitment for the kind promises: SHOW only.
    public var commitmentDue: CivilDate?
    /// A closed request: when the retention schedule will anonymise it (SHOW only)...
    public var anonymiseOn: CivilDate?
    /// ...or why it is kept past it (open requests linked to it, a legal hold, an appeal window).
    public var held: String?
    /// When its personal data was removed.
    public var anonymisedOn: CivilDate?

    /// The fields in protocol order; absent values are left out.
    public var fields: [Field] {
        var out: [Field] = [
            Field("ref", ref), Field("kind", kind.rawValue), Field("state", state.rawValue),
            Field("received", received.description),
        ]
        func add(_ key: String, _ value: String?) { if let value { out.append(Field(key, value)) } }
        add("due", due?.description)
        out.append(.number("version", version))
        if let daysLeft { out.append(.number("days_left", daysLeft)) }
        add("assignee", assignee)
        add("team", team)
        add("max_due", maxDue?.description)
        out.append(Field("calendar", calendar.rawValue))
        out.append(Field("requester", requester))
        add("subject", subject)
        add("email", email)
        add("address", address)
        add("phone", phone)
        add("contact", contact)
        add("parent", parent)
        add("outcome", outcome)
        add("exemptions", exemptions)
        add("responded_on", respondedOn?.description)
        add("transferred_to", transferredTo)
        add("ico_ref", icoRef)
        add("appeal_by", appealBy?.description)
        if requestedLate { out.append(Field("requested_late", "true")) }
        add("legacy_ref", legacyRef)
        add("reviews", reviews)
        add("ico", icoCases)
        add("links", links)
        add("possible_repeat", possibleRepeat)
        add("update_due", updateDue?.description)
        add("commitment_due", commitmentDue?.description)
        if let tasks, tasks > 0 { out.append(Field("tasks", String(tasks))) }
        add("anonymise_on", anonymiseOn?.description)
        add("held", held)
        add("anonymised", anonymisedOn?.description)
        return out
    }
}

extension RequestView {
    /// The keys of the shorter record LIST and RISK give (SHOW gives every field).
    public static let summaryKeys: Set<String> = [
        "ref", "kind", "state", "received", "due", "version", "days_left", "assignee", "team", "update_due", "tasks",
    ]

    /// The shorter record, in protocol order.
    public var summaryFields: [Field] { fields.filter { Self.summaryKeys.contains($0.key) } }

    /// The columns of a listing (`foiflow request list`, `foiflow risk`), in order.
    public static let listColumns = ["ref", "kind", "state", "assignee", "team", "received", "due", "days_left", "version", "update_due"]
}

/// One event of a request's history.
public struct EventView: Sendable, Equatable {
    public var seq: Int
    public var at: Date
    public var actor: String
    public var action: String
    public var from: String?
    public var to: String
    public var due: CivilDate?
    public var fields: [Field]

    /// The event's base fields, then the action's own: HISTORY's `* event` record.
    /// An action's field named like a base field is renamed (`assign to=` becomes
    /// `assignee=`, `transfer to=` `transferred_to=`, any other `field_<key>=`).
    public var recordFields: [Field] {
        var out: [Field] = [
            .number("seq", seq), Field("at", Timestamps.rfc3339(at)), Field("actor", actor), Field("action", action),
        ]
        if let from { out.append(Field("from", from)) }
        out.append(Field("to", to))
        if let due { out.append(Field("due", due.description)) }
        let taken = Set(out.map(\.key))
        for field in fields {
            out.append(Field(Self.recordKey(field.key, action: action, taken: taken), field.value))
        }
        return out
    }

    static func recordKey(_ key: String, action: String, taken: Set<String>) -> String {
        guard taken.contains(key) || key == "due" else { return key }
        switch (action, key) {
        case ("assign", "to"): return "assignee"
        case ("transfer", "to"): return "transferred_to"
        default: return "field_\(key)"
        }
    }

    /// The action's own fields as one `key=value ...` cell (for tables).
    public var fieldsText: String { fields.map { "\($0.key)=\($0.value)" }.joined(separator: " ") }
}

/// What CREATE and ACT answer: `ref state due version` (and `replayed` for an idempotent replay).
public struct ChangeResult: Sendable, Equatable {
    public var ref: String
    public var state: RequestState
    public var due: CivilDate?
    public var version: Int
    public var replayed: Bool
    /// A review asked for more than 40 working days after the response it reviews.
    public var requestedLate = false
    /// The letter the change wrote, when it is held as a task because a value is missing: why
    /// (the CLI says so at once, so a refusal without its reasons is not a quiet task).
    public var letterHeld: String?
    /// A new request's access code (shown once: never read back, never in the history).
    public var accessCode: String?

    public init(ref: String, state: RequestState, due: CivilDate?, version: Int, replayed: Bool) {
        self.ref = ref
        self.state = state
        self.due = due
        self.version = version
        self.replayed = replayed
    }

    /// `ref state due version [replayed]`, as CREATE and ACT answer and the CLI prints.
    public var fields: [Field] {
        var fields: [Field] = [Field("ref", ref), Field("state", state.rawValue)]
        if let due { fields.append(Field("due", due.description)) }
        fields.append(.number("version", version))
        if replayed { fields.append(Field("replayed", "true")) }
        if requestedLate { fields.append(Field("requested_late", "true")) }
        return fields
    }
}

/// A page of LIST.
public struct RequestPage: Sendable, Equatable {
    public var requests: [RequestView]
    /// The ref to pass as `after=` for the next page, when more remain.
    public var next: String?
}

/// LIST filters.
public struct RequestFilter: Sendable, Equatable {
    public var state: RequestState?
    public var kind: RequestKind?
    public var assignee: String?
    public var team: String?
    public var after: String?
    public var limit: Int

    public init(
        state: RequestState? = nil, kind: RequestKind? = nil, assignee: String? = nil, team: String? = nil, after: String? = nil, limit: Int = 100
    ) {
        self.state = state
        self.kind = kind
        self.assignee = assignee
        self.team = team
        self.after = after
        self.limit = limit
    }
}

/// A request's due date explained day by day (`EXPLAIN`).
public struct ExplanationView: Sendable, Equatable {
    public var ref: String
    public var kind: RequestKind
    public var calendar: CalendarID
    public var explanation: Explanation

    /// One record per day: `date`, then `count` or `skip`, then `note` (notes joined by `; `).
    public var dayFields: [[Field]] {
        explanation.days.map { day in
            var fields = [Field("date", day.date.description)]
            if let count = day.count { fields.append(.number("count", count)) }
            if let skip = day.skip { fields.append(Field("skip", skip)) }
            if !day.notes.isEmpty { fields.append(Field("note", day.notes.joined(separator: "; "))) }
            return fields
        }
    }

    /// The status fields: `ref`, `due` (`none` while the clock is stopped), `rule`, `calendar`.
    public var summaryFields: [Field] {
        [
            Field("ref", ref), Field("due", explanation.due?.description ?? "none"), Field("rule", kind.ruleText),
            Field("calendar", calendar.rawValue),
        ]
    }
}
