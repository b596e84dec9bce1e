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
}

extension Array where Element == Figure {
    /// Figures as `key=value` fields (protocol records, CLI rows): each value as text.
    public var fields: [Field] { map { Field($0.name, $0.value.text) } }
}
