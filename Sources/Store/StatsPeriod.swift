import Dates
import Deadlines
import Statistics
import Workflow

/// A statistics query's period, checked: `from` to `to` (inclusive), as of a date, for some
/// kinds (`foi` and `eir` together unless one is named). Shared by `STATS` and `foiflow stats`.
public struct StatsPeriod: Sendable, Equatable {
    public var from: CivilDate
    public var to: CivilDate
    public var asOf: CivilDate
    public var kinds: [RequestKind]

    /// Throws `WorkflowError.badArgument` naming what is wrong.
    public init(from: String, to: String, asOf: String?, kind: String?, today: CivilDate) throws(WorkflowError) {
        func date(_ text: String, _ name: String) throws(WorkflowError) -> CivilDate {
            guard let date = CivilDate(iso: text) else { throw .badArgument("\(name)=\(text) is not a valid date (YYYY-MM-DD)") }
            return date
        }
        self.from = try date(from, "from")
        self.to = try date(to, "to")
        guard self.from <= self.to else { throw .badArgument("from=\(from) is after to=\(to)") }
        self.asOf = try asOf.map { text throws(WorkflowError) in try date(text, "as_of") } ?? today
        if let kind {
            guard let parsed = RequestKind(name: kind) else { throw .badArgument("kind=\(kind) is not one of \(RequestKind.names)") }
            kinds = [parsed]
        } else {
            kinds = [.foi, .eir]
        }
    }

    /// A month's line: `month received processed in_time late open_overdue [in_time_percent]`.
    public static func fields(_ month: MonthFigures) -> [Field] {
        var fields = [
            Field("month", month.month), Field("received", String(month.received)), Field("processed", String(month.processed)),
            Field("in_time", String(month.inTime)), Field("late", String(month.late)), Field("open_overdue", String(month.openOverdue)),
        ]
        if let percent = month.inTimePercent { fields.append(Field("in_time_percent", percent)) }
        return fields
    }

    /// A kind's backlog line: `kind open` and the five bands past due.
    public static func fields(_ backlog: BacklogFigures) -> [Field] {
        [Field("kind", backlog.kind.rawValue), Field("open", String(backlog.open))]
            + zip(BacklogFigures.bandNames, backlog.bands).map { Field($0, String($1)) }
    }
}
