import Dates
import Deadlines

/// How close to or past its due date an open request is, for the nightly escalation.
///
/// Each level is defined by one cutoff: a request whose due date is on or before the
/// level's cutoff has reached it. Levels are listed most severe first; a request is at the
/// first level it has reached. The store applies the same cutoffs set-based in SQL.
public enum EscalationLevel: String, Sendable, CaseIterable, Codable, Comparable {
    /// Twenty or more working days past due: the head of unit is told.
    case veryOverdue = "very-overdue"
    /// Past due (due before the night it runs for): the team's manager is told.
    case overdue
    /// Due within three working days: the assignee is told.
    case warning

    /// Working days before the due date that count as `warning` (days_left <= 3).
    public static let warningWorkingDays = 3
    /// Working days past the due date that count as `veryOverdue`.
    public static let veryOverdueWorkingDays = 20

    /// More severe levels compare greater.
    public static func < (lhs: EscalationLevel, rhs: EscalationLevel) -> Bool {
        lhs.severity < rhs.severity
    }

    private var severity: Int {
        switch self {
        case .warning: 0
        case .overdue: 1
        case .veryOverdue: 2
        }
    }

    /// Who is told, in order of preference: the first that can be found receives it.
    public var recipients: [EscalationRecipient] {
        switch self {
        case .warning: [.assignee, .teamManager, .headOfUnit]
        case .overdue: [.teamManager, .headOfUnit]
        case .veryOverdue: [.headOfUnit]
        }
    }

    /// The level in words, for notifications: "Request X is <summary>".
    public var summary: String {
        switch self {
        case .warning: "due within three working days"
        case .overdue: "overdue"
        case .veryOverdue: "twenty or more working days overdue"
        }
    }

    /// The last due date that has reached this level on the night of `asOf`.
    public func cutoff(asOf: CivilDate, calendar: WorkingDayCalendar) throws(CalendarError) -> CivilDate {
        switch self {
        case .warning:
            // days_left <= 3: due before the 4th working day after as-of.
            return try calendar.addWorkingDays(asOf, Self.warningWorkingDays + 1).adding(days: -1)
        case .overdue:
            return asOf.adding(days: -1)
        case .veryOverdue:
            // At least 20 working days after the due date, up to as-of.
            var cut = try calendar.addWorkingDays(asOf, -(Self.veryOverdueWorkingDays + 1))
            while try calendar.workingDaysBetween(cut.adding(days: 1), asOf) >= Self.veryOverdueWorkingDays {
                cut = cut.adding(days: 1)
            }
            return cut
        }
    }

    /// The level a request due on `due` has reached on the night of `asOf`, if any.
    public static func level(due: CivilDate, asOf: CivilDate, calendar: WorkingDayCalendar) throws(CalendarError) -> EscalationLevel? {
        for level in allCases where due <= (try level.cutoff(asOf: asOf, calendar: calendar)) {
            return level
        }
        return nil
    }
}

/// Someone an escalation can go to.
public enum EscalationRecipient: String, Sendable, CaseIterable {
    /// The request's assignee, if an active user.
    case assignee
    /// An active manager of the request's team (the first by login).
    case teamManager = "team-manager"
    /// The head of unit: configured, else the first active admin by login.
    case headOfUnit = "head-of-unit"
}

/// When a request that waits on the requester lapses (FOIA s.9(2) for fees; a configurable
/// time for clarification), and the reason recorded on its `lapse` event.
public struct LapseRule: Sendable, Equatable {
    /// The waiting state the rule applies to.
    public var state: RequestState
    /// The kinds it applies to.
    public var kinds: Set<RequestKind>
    /// Calendar months after the clock stopped: on that day or later the request lapses.
    public var months: Int
    /// The reason written on the `lapse` event.
    public var reason: String

    public init(state: RequestState, kinds: Set<RequestKind>, months: Int, reason: String) {
        self.state = state
        self.kinds = kinds
        self.months = months
        self.reason = reason
    }

    /// Whether a request of `kind` in `state` whose clock stopped on `stoppedOn` has lapsed on `asOf`.
    public func applies(kind: RequestKind, state: RequestState, stoppedOn: CivilDate, asOf: CivilDate) -> Bool {
        state == self.state && kinds.contains(kind) && stoppedOn.adding(months: months) <= asOf
    }

    /// The rules in force: fees not paid within `feeMonths` (kinds whose fee can lapse) and
    /// clarifications not received within `clarificationMonths` (every kind).
    public static func rules(feeMonths: Int = 3, clarificationMonths: Int = 3) -> [LapseRule] {
        [
            LapseRule(
                state: .awaitingFee, kinds: Set(RequestKind.allCases.filter(\.lapsesWithoutFee)), months: feeMonths,
                reason: "fee not paid within \(feeMonths) months (FOIA s.9(2))"),
            LapseRule(
                state: .awaitingClarification, kinds: Set(RequestKind.allCases), months: clarificationMonths,
                reason: "no clarification within \(clarificationMonths) months"),
        ]
    }
}
