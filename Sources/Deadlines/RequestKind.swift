/// The kinds of request foiflow tracks, each with its statutory clock.
///
/// Everything that differs by kind is a property here, so adding a kind is one new case
/// with its properties (the compiler lists every switch to complete) plus one line in a
/// migration (`INSERT INTO request_kinds`).
public enum RequestKind: String, Sendable, CaseIterable, Codable {
    /// Freedom of Information Act 2000 (s.10: 20 working days).
    case foi
    /// Environmental Information Regulations 2004 (reg 5(2): 20 working days; reg 7: 40).
    case eir
    /// Subject access: UK GDPR Art 12(3) / DPA 2018 s.54 (one month, extendable by two).
    case sar
    /// Service complaint: 10 working days (the published commitment).
    case complaint
    /// Internal review of an FOI/EIR response (s.45 Code: 20 working days, 40 at most).
    case review
    /// A complaint the Information Commissioner opened about one of our requests (FOIA s.50):
    /// its dates are set by others (the ICO's submission date, a decision notice's 35 days).
    case ico
    /// A complaint about how the authority handled someone's personal data (DPA 2018 s.164A,
    /// from 19 June 2026): acknowledged within 30 days, answered without undue delay.
    case dpc

    /// The reference-number prefix: `FOI-2026-000124`.
    public var referencePrefix: String {
        switch self {
        case .foi: "FOI"
        case .eir: "EIR"
        case .sar: "SAR"
        case .complaint: "CMP"
        case .review: "REV"
        case .ico: "ICO"
        case .dpc: "DPC"
        }
    }

    /// The kind in words, as published pages name it: `FOI`, `Subject access`.
    public var title: String {
        switch self {
        case .foi: "FOI"
        case .eir: "EIR"
        case .sar: "Subject access"
        case .complaint: "Complaint"
        case .review: "Internal review"
        case .ico: "ICO case"
        case .dpc: "Data-protection complaint"
        }
    }

    /// The kind whose references start with `prefix`.
    public init?(referencePrefix prefix: some StringProtocol) {
        guard let kind = Self.allCases.first(where: { $0.referencePrefix == prefix }) else { return nil }
        self = kind
    }

    /// Parses a kind name, case-insensitively.
    public init?(name: String) {
        self.init(rawValue: name.lowercased())
    }

    /// The names accepted, for error messages.
    public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// How this kind's deadline is counted.
    public var rule: DeadlineRule {
        switch self {
        case .foi: .workingDays(20, extendedTo: 40)
        case .eir: .workingDays(20, extendedTo: 40)
        case .review: .workingDays(20, extendedTo: 40)
        case .complaint: .workingDays(10, extendedTo: 10)
        case .sar: .calendarMonths(1, extendedTo: 3)
        case .ico: .setByOthers
        case .dpc: .calendarDays(30)
        }
    }

    /// What receiving a clarification the authority asked for does to the clock.
    public var clarification: ClarificationEffect {
        switch self {
        case .foi, .eir, .complaint, .review, .ico, .dpc: .restartsCount
        case .sar: .pausesCalendarDays
        }
    }

    /// What a fee paid after a fees notice does to the clock.
    public var feePayment: FeeEffect {
        switch self {
        case .foi, .eir, .complaint, .review, .ico, .dpc: .disregardsWorkingDays
        case .sar: .startsClock
        }
    }

    /// Whether an extension must name a qualified exemption (FOIA s.10(3): the public
    /// interest is being weighed); EIR (reg 7) and SAR extensions need none.
    public var extensionNeedsQualifiedExemption: Bool { self == .foi }

    /// The rule in words, for explanations: `the 20th working day after receipt (FOIA s.10(1))`.
    public var ruleText: String {
        switch self {
        case .foi: "20 working days after receipt (FOIA s.10(1)); 20 more at most for the public interest (s.10(3))"
        case .eir: "20 working days after receipt (EIR reg 5(2)); 40 in all if complex and voluminous (reg 7)"
        case .review: "20 working days after the complaint (s.45 Code); 40 in all at most"
        case .complaint: "10 working days (published service commitment)"
        case .sar: "one calendar month from receipt, or from ID or fee (UK GDPR Art 12(3), DPA 2018 s.54); three months in all if extended"
        case .ico:
            "the date the ICO set for our submission; a decision notice's steps 35 calendar days after it (FOIA s.50), waiting while an appeal is at the tribunal"
        case .dpc:
            "acknowledged within 30 calendar days counted from the day after receipt, an end on a weekend or bank holiday moved to the next working day (DPA 2018 s.164A, ICO guidance); then the published commitment, if any"
        }
    }

    /// Whether an unpaid fee makes the request lapse (FOIA s.9(2): three months).
    public var lapsesWithoutFee: Bool { self == .foi }

    /// The kinds a request of this kind must name as `parent=` (empty: no parent needed).
    public var parentKinds: Set<RequestKind> {
        switch self {
        case .review: [.foi, .eir]
        case .ico: [.foi, .eir, .sar]
        case .foi, .eir, .sar, .complaint, .dpc: []
        }
    }

    /// The calendar this kind uses, unless a request says otherwise, for an authority in `home`.
    ///
    /// FOI, EIR and reviews count working days across the whole UK (FOIA s.10(6)), or on the
    /// Scottish calendar for a Scottish authority (FOISA s.73); SARs and complaints roll
    /// forward on the home division's own calendar.
    public func defaultCalendar(home: Division) -> CalendarID {
        switch self {
        case .foi, .eir, .review, .ico: home == .scotland ? .scotland : .uk
        case .sar, .complaint, .dpc: CalendarID(division: home)
        }
    }

    /// Whether foiflow writes to the requester about it (acknowledgement, letters, monthly
    /// updates): not for an ICO case, whose correspondent is the regulator.
    public var writesToRequester: Bool { self != .ico }
}

/// What a clarification does to a kind's clock: the statutes differ (FOIA s.1(3) restarts, DUAA 2025 pauses).
public enum ClarificationEffect: Sendable, Equatable {
    /// FOIA s.1(3)/s.10(6): the date of receipt becomes the day the clarification arrives.
    case restartsCount
    /// DUAA 2025 stop-the-clock: the calendar days waiting do not count.
    case pausesCalendarDays
}

/// What paying a fee does to a kind's clock.
public enum FeeEffect: Sendable, Equatable {
    /// FOIA s.10(2): the working days from the day of the notice to the day of payment, both included, are disregarded.
    case disregardsWorkingDays
    /// UK GDPR / DPA s.54(3): the month runs from the payment.
    case startsClock
}

/// How a deadline is counted from its start date.
public enum DeadlineRule: Sendable, Equatable {
    /// The Nth working day after the start (FOIA s.10(1)); extensions up to a total.
    case workingDays(Int, extendedTo: Int)
    /// The corresponding date N calendar months on, clamped to the month's end and
    /// moved to the next working day (ICO counting for SARs); extensions up to a total.
    case calendarMonths(Int, extendedTo: Int)
    /// Dates set by someone else and recorded as they come (an ICO case: the submission date
    /// the ICO gave, a decision notice + 35 calendar days); nothing to extend.
    case setByOthers
    /// N calendar days counted from the day after the start, an end on a non-working day moved
    /// to the next working day; nothing to extend. The clock is for acknowledging (a
    /// data-protection complaint): once acknowledged, the date is the one set then.
    case calendarDays(Int)

    /// Whether an acknowledgement ends the clock (and sets the date that follows).
    public var endsWithAcknowledgement: Bool {
        if case .calendarDays = self { return true }
        return false
    }

    /// The most that extensions may add in all, in the rule's unit (0: no extension).
    public var maxExtension: Int {
        switch self {
        case .workingDays(let base, let total), .calendarMonths(let base, let total): total - base
        case .setByOthers, .calendarDays: 0
        }
    }

    /// The length with no extension and the length fully extended, in the rule's unit.
    public var lengths: (base: Int, extended: Int) {
        switch self {
        case .workingDays(let base, let total), .calendarMonths(let base, let total): (base, total)
        case .setByOthers: (0, 0)
        case .calendarDays(let days): (days, days)
        }
    }

    /// The field an extension of this rule is given in: `days` or `months`.
    public var extensionField: String {
        switch self {
        case .workingDays, .calendarDays: "days"
        case .calendarMonths, .setByOthers: "months"
        }
    }

    /// The rule's unit as an adjective: `a 20-working-day extension`, `a 2-month extension`.
    public var unitAdjective: String {
        switch self {
        case .workingDays: "working-day"
        case .calendarDays: "calendar-day"
        case .calendarMonths, .setByOthers: "month"
        }
    }

    /// The rule's unit in words, plural: `working days`, `months`.
    public var unitName: String {
        switch self {
        case .workingDays: "working days"
        case .calendarDays: "calendar days"
        case .calendarMonths, .setByOthers: "months"
        }
    }
}
