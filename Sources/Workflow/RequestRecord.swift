import Dates
import Deadlines

/// A legal hold: from `since`, until `until` (or until released when `nil`).
public struct LegalHold: Sendable, Equatable {
    public var since: CivilDate
    public var until: CivilDate?

    public init(since: CivilDate, until: CivilDate?) {
        self.since = since
        self.until = until
    }

    /// Whether it still stands on `date`.
    public func stands(on date: CivilDate) -> Bool { until.map { $0 >= date } ?? true }
}

/// The workflow-relevant part of a request, as the engine reads and rewrites it.
public struct RequestRecord: Sendable, Equatable {
    public var kind: RequestKind
    public var state: RequestState
    /// Number of events so far; every change adds one.
    public var version: Int
    public var received: CivilDate
    public var calendar: CalendarID
    public var clock: StatutoryClock
    /// Derived from the clock; `nil` while the clock is stopped.
    public var due: CivilDate?
    /// The latest date the law allows once fully extended; `nil` while stopped.
    public var maxDue: CivilDate?
    public var assignee: String?
    public var outcome: Outcome?
    public var exemptions: String?
    public var respondedOn: CivilDate?
    public var transferredTo: String?
    /// The last time the requester heard from us (a letter sent or done, a recorded contact).
    public var lastContact: CivilDate?
    /// The request a review or an ICO case is about.
    public var parent: String?
    /// An ICO case: the last day to appeal its decision notice to the tribunal (notice + 28 days).
    public var appealBy: CivilDate?
    /// The version a manager's `approve` made; the approval stands while `version` equals it.
    public var approvedVersion: Int?
    /// What `submit` put up for approval: the outcome and the grounds (canonical, sorted,
    /// comma-separated); an approval binds a response to exactly these.
    public var proposedOutcome: Outcome?
    public var proposedExemptions: String?
    /// A legal hold standing on the request (`ACT ref hold`): its personal data is kept.
    public var hold: LegalHold?
    /// When its personal data was removed (the retention schedule or an erasure).
    public var anonymisedOn: CivilDate?

    public init(
        kind: RequestKind, state: RequestState, version: Int, received: CivilDate, calendar: CalendarID,
        clock: StatutoryClock, due: CivilDate?, maxDue: CivilDate?, assignee: String? = nil,
        outcome: Outcome? = nil, exemptions: String? = nil, respondedOn: CivilDate? = nil, transferredTo: String? = nil,
        lastContact: CivilDate? = nil, parent: String? = nil, appealBy: CivilDate? = nil, approvedVersion: Int? = nil,
        proposedOutcome: Outcome? = nil, proposedExemptions: String? = nil, hold: LegalHold? = nil, anonymisedOn: CivilDate? = nil
    ) {
        self.kind = kind
        self.state = state
        self.version = version
        self.received = received
        self.calendar = calendar
        self.clock = clock
        self.due = due
        self.maxDue = maxDue
        self.assignee = assignee
        self.outcome = outcome
        self.exemptions = exemptions
        self.respondedOn = respondedOn
        self.transferredTo = transferredTo
        self.lastContact = lastContact
        self.parent = parent
        self.appealBy = appealBy
        self.approvedVersion = approvedVersion
        self.proposedOutcome = proposedOutcome
        self.proposedExemptions = proposedExemptions
        self.hold = hold
        self.anonymisedOn = anonymisedOn
    }

    /// When a progress update falls due while the request is open: a calendar month after the
    /// last contact (or receipt, before any), clamped to the month's end; `nil` once closed.
    public var updateDue: CivilDate? {
        state.isOpen ? (lastContact ?? received).adding(months: 1) : nil
    }
}

/// A `key=value` field of a command or an event, in the order given.
public struct Field: Sendable, Equatable, Codable {
    public var key: String
    public var value: String
    /// The value is a whole number (a version, a count): an encoding that has numbers (JSON)
    /// writes it as one. Said by whoever makes the field, never guessed from its key; not part
    /// of equality, nor of the field's own coding (the wire carries text).
    public var isNumber = false

    public init(_ key: String, _ value: String) {
        self.key = key
        self.value = value
    }

    /// A field whose value is a whole number.
    public static func number(_ key: String, _ value: Int) -> Field {
        var field = Field(key, String(value))
        field.isNumber = true
        return field
    }

    public static func == (lhs: Field, rhs: Field) -> Bool { lhs.key == rhs.key && lhs.value == rhs.value }

    enum CodingKeys: String, CodingKey { case key, value }
}

/// The event a change writes.
public struct EventDraft: Sendable, Equatable {
    public var action: Action
    public var from: RequestState?
    public var to: RequestState
    /// The action's fields, with defaults filled in (e.g. `on=` today).
    public var fields: [Field]
    /// The due date after the change.
    public var due: CivilDate?
    /// The day it happened: its `on=` (receipt for `create`), else the day it was recorded.
    /// `nil`: the database's today (Europe/London). Statistics "as of" a date read this.
    public var effectiveOn: CivilDate?
    /// The refusal grounds the change cites (`respond`, `extend`), one per ground.
    public var grounds: [CitedGround]
    /// The event the change leaves on the parent request (a review's outcome, an ICO case's
    /// decision), without the `ref` of the request changed, which the store adds.
    public var trail: Trail?

    /// An event on another request: the parent (a review's outcome, an ICO case's step), or
    /// the request named by `target` (the other end of a link).
    public struct Trail: Sendable, Equatable {
        public var action: Action
        public var fields: [Field]
        /// The request it is written on; `nil`: the parent.
        public var target: String?

        public init(action: Action, fields: [Field], target: String? = nil) {
            self.action = action
            self.fields = fields
            self.target = target
        }
    }

    public init(
        action: Action, from: RequestState?, to: RequestState, fields: [Field], due: CivilDate?, effectiveOn: CivilDate? = nil,
        grounds: [CitedGround] = [], trail: Trail? = nil
    ) {
        self.effectiveOn = effectiveOn
        self.action = action
        self.from = from
        self.to = to
        self.fields = fields
        self.due = due
        self.grounds = grounds
        self.trail = trail
    }
}

/// Who acts.
public struct Actor: Sendable, Equatable {
    public var login: String
    public var role: Role
    /// The user's team, if any.
    public var team: String?

    public init(login: String, role: Role, team: String? = nil) {
        self.login = login
        self.role = role
        self.team = team
    }

    /// The team whose requests (and those of no team) are all this actor may see and act on;
    /// `nil`: every request. Officers and managers of a team are kept to it; users with no
    /// team, admins, auditors and the system are not.
    public var scope: String? {
        role == .officer || role == .manager ? team : nil
    }

    /// Whether someone kept to `scope` sees a request of `team`: their team's and those of no
    /// team; no scope sees all. The database's `foiflow_sees` is the same rule (a test compares
    /// them); every read and write kept to a team asks one or the other.
    public static func sees(scope: String?, team: String?) -> Bool {
        scope == nil || team == nil || team == scope
    }
}

/// A request's personal data: who asked, how to reach them, and what they asked in their own
/// words. The one type that holds it, so there is one thing to keep out of events, logs and
/// public pages, and one thing to erase or anonymise.
public struct PersonalData: Sendable, Equatable {
    public var requester: String
    public var email: String?
    public var address: String?
    /// A telephone number (`contact=phone` needs one).
    public var phone: String?
    /// What was asked, as the requester put it.
    public var subject: String?

    public init(requester: String, email: String? = nil, address: String? = nil, phone: String? = nil, subject: String? = nil) {
        self.requester = requester
        self.email = email
        self.address = address
        self.phone = phone
        self.subject = subject
    }
}

/// The details of a new request besides its workflow record: the requester's personal data
/// and what is not personal (preferred contact, team, the request it concerns).
public struct RequestDetails: Sendable, Equatable {
    public var personal: PersonalData
    public var contact: ContactMethod?
    public var team: String?
    public var parent: String?
    /// An ICO case: the ICO's own reference.
    public var icoRef: String?
    /// A review asked for more than 40 working days after the response it reviews: accepted,
    /// but the authority may decline it.
    public var requestedLate: Bool

    public init(
        requester: String, subject: String? = nil, email: String? = nil, address: String? = nil, phone: String? = nil,
        contact: ContactMethod? = nil, team: String? = nil, parent: String? = nil, icoRef: String? = nil, requestedLate: Bool = false
    ) {
        self.personal = PersonalData(requester: requester, email: email, address: address, phone: phone, subject: subject)
        self.contact = contact
        self.team = team
        self.parent = parent
        self.icoRef = icoRef
        self.requestedLate = requestedLate
    }
}

/// What a new request needs to know of the request it names as `parent=`.
public struct ParentFacts: Sendable, Equatable {
    public var kind: RequestKind
    public var state: RequestState
    /// When it was answered, if it was.
    public var respondedOn: CivilDate?

    public init(kind: RequestKind, state: RequestState, respondedOn: CivilDate?) {
        self.kind = kind
        self.state = state
        self.respondedOn = respondedOn
    }
}
