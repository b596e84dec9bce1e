import Dates
import Deadlines

/// A percentage to one decimal, rounded half up (`72.7`), from a count and its total; `nil`
/// when the total is 0 (never a percentage of nothing).
public func percent(_ count: Int, of total: Int) -> String? {
    guard total > 0 else { return nil }
    let tenths = (count * 1000 * 2 + total) / (total * 2)
    return "\(tenths / 10).\(tenths % 10)"
}

/// One figure of a report, named, with a typed value: how it is written (a protocol field, a
/// table cell, a JSON number or string) follows from its type, never from its name.
public struct Figure: Sendable, Equatable {
    public enum Value: Sendable, Equatable {
        /// A count of requests (a JSON number).
        case count(Int)
        /// A percentage to one decimal, as `percent(_:of:)` writes it (a JSON string, so the
        /// decimal is kept as published).
        case percent(String)
        /// A label: a month, a kind (a JSON string).
        case label(String)

        /// The value as text (protocol fields, tables, CSV).
        public var text: String {
            switch self {
            case .count(let n): String(n)
            case .percent(let text), .label(let text): text
            }
        }
    }

    public var name: String
    public var value: Value

    public init(_ name: String, _ value: Value) {
        self.name = name
        self.value = value
    }

    /// Counts, in order.
    static func counts(_ pairs: [(String, Int)]) -> [Figure] { pairs.map { Figure($0.0, .count($0.1)) } }
}

/// The return for the requests received in a period, as they stood on a date (the Cabinet
/// Office's quarterly shape; CASEWORK-RULES 1.3 and 1.4).
public struct PeriodFigures: Sendable, Equatable {
    public var received = 0
    /// Open on the date, not waiting on a clarification.
    public var open = 0
    /// Open and past the due date then.
    public var openOverdue = 0
    /// Answered, or waiting on a clarification asked for (advice and assistance).
    public var processed = 0
    /// Answered on or before the statutory due date (or clarification asked by then).
    public var withinDeadline = 0
    /// Answered after the statutory date but by a lawfully taken extension's date.
    public var withinExtension = 0
    public var late = 0
    public var granted = 0
    public var partial = 0
    public var refused = 0
    public var notHeld = 0
    public var ncnd = 0
    public var adviceAndAssistance = 0
    public var withdrawn = 0
    public var lapsed = 0
    public var transferred = 0
    /// Answered requests whose only ground is s.21 (reported apart, as the Cabinet Office does).
    public var s21Only = 0
    /// One count per answered request and ground, by ground code, most used first.
    public var exemptions: [GroundCount] = []

    public init() {}

    /// Answered in time: within the deadline or a lawful extension.
    public var inTime: Int { withinDeadline + withinExtension }

    /// The Cabinet Office's measure: in time / processed.
    public var inTimePercent: String? { percent(inTime, of: processed) }

    /// The honest one: in time / (processed + open past due); not-yet-due requests left out.
    public var dueCohortPercent: String? { percent(inTime, of: processed + openOverdue) }

    /// Open requests not yet due, which the due-cohort measure leaves out.
    public var openNotDue: Int { open - openOverdue }

    /// `name value` in protocol order (the percentages only when defined).
    public var stats: [Figure] {
        var out = Figure.counts([
            ("received", received), ("open", open), ("open_overdue", openOverdue), ("processed", processed),
            ("within_deadline", withinDeadline), ("within_extension", withinExtension), ("late", late), ("granted", granted),
            ("partial", partial), ("refused", refused), ("not_held", notHeld), ("ncnd", ncnd),
            ("advice_and_assistance", adviceAndAssistance), ("withdrawn", withdrawn), ("lapsed", lapsed),
            ("transferred", transferred),
        ])
        if let inTimePercent { out.append(Figure("in_time_percent", .percent(inTimePercent))) }
        if let dueCohortPercent { out.append(Figure("due_cohort_percent", .percent(dueCohortPercent))) }
        out.append(Figure("s21_only", .count(s21Only)))
        return out
    }
}

/// How many answered requests cited a ground.
public struct GroundCount: Sendable, Equatable {
    public var code: String
    public var count: Int

    public init(code: String, count: Int) {
        self.code = code
        self.count = count
    }
}

/// One month of receipt.
public struct MonthFigures: Sendable, Equatable {
    /// `YYYY-MM`.
    public var month: String
    public var received = 0
    public var processed = 0
    public var inTime = 0
    public var late = 0
    public var openOverdue = 0

    public init(month: String) {
        self.month = month
    }

    public var inTimePercent: String? { percent(inTime, of: processed) }

    /// The month's line: `month received processed in_time late open_overdue [in_time_percent]`.
    public var figures: [Figure] {
        [Figure("month", .label(month))]
            + Figure.counts([
                ("received", received), ("processed", processed), ("in_time", inTime), ("late", late), ("open_overdue", openOverdue),
            ]) + (inTimePercent.map { [Figure("in_time_percent", .percent($0))] } ?? [])
    }
}

/// Internal reviews received in the period (CASEWORK-RULES 3.1: 20 working days, 40 at most).
public struct ReviewFigures: Sendable, Equatable {
    public var received = 0
    public var processed = 0
    public var within20 = 0
    public var within40 = 0
    public var upheld = 0
    public var upheldInPart = 0
    public var overturned = 0
    /// Asked for more than 40 working days after the response.
    public var requestedLate = 0

    public init() {}

    public var stats: [Figure] {
        Figure.counts([
            ("received", received), ("processed", processed), ("within_20_working_days", within20), ("within_40_working_days", within40),
            ("upheld", upheld), ("upheld_in_part", upheldInPart), ("overturned", overturned), ("requested_late", requestedLate),
        ])
    }
}

/// ICO cases received in the period.
public struct ICOFigures: Sendable, Equatable {
    public var received = 0
    /// Decision notices, by the ICO's finding.
    public var upheld = 0
    public var partlyUpheld = 0
    public var notUpheld = 0
    /// Appeals to the tribunal.
    public var appealed = 0
    /// Steps taken, and of those on or before their due date.
    public var stepsComplied = 0
    public var stepsCompliedInTime = 0

    public init() {}

    public var decisionNotices: Int { upheld + partlyUpheld + notUpheld }

    public var stats: [Figure] {
        Figure.counts([
            ("received", received), ("decision_notices", decisionNotices), ("upheld", upheld), ("partly_upheld", partlyUpheld),
            ("not_upheld", notUpheld), ("appealed", appealed), ("steps_complied", stepsComplied),
            ("steps_complied_in_time", stepsCompliedInTime),
        ])
    }
}

/// Open requests of a kind past their due date on the day, by how long (CASEWORK-RULES 1.3 (d)).
public struct BacklogFigures: Sendable, Equatable {
    public var kind: RequestKind
    /// Open on the day (due or not).
    public var open = 0
    /// Past due by up to 1 month, 1 to 3, 3 to 6, 6 to 12, more than 12 months.
    public var bands: [Int] = [0, 0, 0, 0, 0]

    public init(kind: RequestKind) {
        self.kind = kind
    }

    public static let bandNames = ["up_to_1_month", "months_1_to_3", "months_3_to_6", "months_6_to_12", "over_12_months"]
    public static let bandTitles = ["up to 1 month", "1 to 3 months", "3 to 6 months", "6 to 12 months", "more than 12 months"]

    public var overdue: Int { bands.reduce(0, +) }

    /// The kind's backlog line: `kind open` and the five bands past due.
    public var figures: [Figure] {
        [Figure("kind", .label(kind.rawValue)), Figure("open", .count(open))]
            + zip(BacklogFigures.bandNames, bands).map { Figure($0, .count($1)) }
    }
}

/// Everything `STATS` and `foiflow stats` report for a period, as it stood on a date.
public struct StatsReport: Sendable, Equatable {
    public var from: CivilDate
    public var to: CivilDate
    public var asOf: CivilDate
    public var kinds: [RequestKind]
    public var figures: PeriodFigures
    public var months: [MonthFigures]
    public var reviews: ReviewFigures
    public var ico: ICOFigures
    public var backlog: [BacklogFigures]

    public init(
        from: CivilDate, to: CivilDate, asOf: CivilDate, kinds: [RequestKind], figures: PeriodFigures, months: [MonthFigures],
        reviews: ReviewFigures, ico: ICOFigures, backlog: [BacklogFigures]
    ) {
        self.from = from
        self.to = to
        self.asOf = asOf
        self.kinds = kinds
        self.figures = figures
        self.months = months
        self.reviews = reviews
        self.ico = ico
        self.backlog = backlog
    }
}
