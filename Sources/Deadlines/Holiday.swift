import Dates

/// One bank holiday in one division, on the (week)day it is taken.
public struct Holiday: Hashable, Sendable, Codable {
    public var date: CivilDate
    public var division: Division
    /// E.g. `Christmas Day`, `St Andrew's Day`.
    public var title: String
    /// Taken on a weekday in place of one that fell on a weekend.
    public var isSubstitute: Bool

    public init(date: CivilDate, division: Division, title: String, isSubstitute: Bool = false) {
        self.date = date
        self.division = division
        self.title = title
        self.isSubstitute = isSubstitute
    }

    /// The title as a reason: `St Andrew's Day (substitute day)` for a substitute.
    public var reason: String {
        isSubstitute ? "\(title) (substitute day)" : title
    }
}
