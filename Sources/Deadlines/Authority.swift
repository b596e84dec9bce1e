/// The authority foiflow serves: its home division decides default calendars.
///
/// An authority in England, Wales or Northern Ireland answers FOI/EIR on the
/// `uk` calendar (FOIA s.10(6)); a Scottish one answers under FOISA on the
/// `scotland` calendar (s.73). SARs and complaints roll forward on the home
/// division's own calendar. Each kind says which (`RequestKind.defaultCalendar`).
public struct Authority: Sendable, Equatable {
    public var homeDivision: Division

    public init(homeDivision: Division = .englandAndWales) {
        self.homeDivision = homeDivision
    }

    /// The calendar a kind uses unless a request says otherwise.
    public func defaultCalendar(for kind: RequestKind) -> CalendarID {
        kind.defaultCalendar(home: homeDivision)
    }
}
