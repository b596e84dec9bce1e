import Dates

/// A due date and the latest date the law allows once fully extended.
public struct Deadline: Sendable, Equatable, CustomStringConvertible {
    public var due: CivilDate
    public var maxDue: CivilDate

    public init(due: CivilDate, maxDue: CivilDate) {
        self.due = due
        self.maxDue = maxDue
    }

    public var description: String { "due \(due), at most \(maxDue)" }
}

/// Computes statutory deadlines over a set of calendars. Pure.
public struct DeadlineCalculator: Sendable {
    public let calendars: CalendarSet
    public let authority: Authority

    public init(calendars: CalendarSet = .rules, authority: Authority = Authority()) {
        self.calendars = calendars
        self.authority = authority
    }

    /// The deadline of a request of `kind` whose clock starts on `start`, with no
    /// stops or extensions: the clock of a new request, so the same derivation as a
    /// stored due date. `calendar` overrides the kind's default calendar.
    public func deadline(kind: RequestKind, start: CivilDate, calendar: CalendarID? = nil) throws(CalendarError) -> Deadline {
        guard kind.rule != .setByOthers else {
            throw .notDerived("a \(kind.rawValue) case's dates are set by others (\(kind.ruleText)); there is no deadline to derive")
        }
        return try StatutoryClock(received: start).runningDeadline(
            rule: kind.rule, calendar: calendars[calendar ?? authority.defaultCalendar(for: kind)])
    }
}
