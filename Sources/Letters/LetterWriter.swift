import Dates
import Deadlines
import Foundation
import Workflow

/// Who letters name as leading on a request when it has no assignee: the unit's own contact
/// (`foiflow unit set`; while none is set, `FOIFLOW_UNIT_NAME`, `FOIFLOW_UNIT_EMAIL`,
/// `FOIFLOW_UNIT_PHONE`, `FOIFLOW_UNIT_ADDRESS`). The same details as a lead officer's, with a
/// postal address.
public typealias UnitContact = LeadContact

extension LeadContact {
    /// The unit's contact from the environment: the default until `foiflow unit set` stores one.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> UnitContact {
        func value(_ key: String) -> String? { environment[key].flatMap { $0.isEmpty ? nil : $0 } }
        return UnitContact(
            name: value("FOIFLOW_UNIT_NAME"), email: value("FOIFLOW_UNIT_EMAIL"), phone: value("FOIFLOW_UNIT_PHONE"),
            address: value("FOIFLOW_UNIT_ADDRESS"))
    }

    /// What letters lack while these are the unit's details: a name, and a way to reach it.
    public var gaps: [String] {
        (name == nil ? ["a name (--name)"] : []) + (contactText == nil ? ["an e-mail address or telephone number (--email, --phone)"] : [])
    }
}

/// Someone a letter names as leading on the request: an officer, or the unit.
public struct LeadContact: Sendable, Equatable {
    public var name: String?
    public var email: String?
    public var phone: String?
    /// A postal address (the unit's; letters may print it).
    public var address: String?

    public init(name: String? = nil, email: String? = nil, phone: String? = nil, address: String? = nil) {
        self.name = name
        self.email = email
        self.phone = phone
        self.address = address
    }

    /// `a.smith@example.org, 01234 567890`, or `nil` when there is no way to reach them.
    public var contactText: String? {
        let parts = [email, phone].compactMap { $0 }.filter { !$0.isEmpty }
        return parts.isEmpty ? nil : parts.joined(separator: ", ")
    }
}

/// A letter rendered for a request, ready to be written with the action behind it.
public struct LetterDraft: Sendable, Equatable {
    public var type: LetterType
    public var channel: LetterChannel
    /// `queued` (an e-mail that can go) or `task` (for the lead officer).
    public var status: String
    public var recipient: String?
    public var subject: String
    public var body: String
    public var taskNote: String?
    /// Why it cannot go as it is, when a value its template needs is missing (`missing: ...`);
    /// `nil` when it is complete (a letter by post or phone is a task, but not for this).
    public var missingNote: String? = nil
}

/// Renders the letters the workflow's actions write: values from the request, the lead
/// officer (its assignee, else the unit) and the templates; the channel is the requester's
/// preferred method.
public struct LetterWriter: Sendable {
    /// The templates, or why they could not be loaded (then every letter is a task saying so).
    public let book: Result<LetterBook, LetterError>
    public private(set) var unit: UnitContact

    /// Every phrase letters use, for every case of its fact, rendered once from the book.
    let phrases: [String: String]

    public init(book: Result<LetterBook, LetterError>, unit: UnitContact) {
        self.book = book
        self.unit = unit
        var phrases: [String: String] = [:]
        if case .success(let book) = book {
            func add(_ phrase: Phrase, _ prefix: String, _ cases: [String]) {
                for value in cases { phrases[Phrase.flag(prefix, value)] = book.phrase(phrase, flag: Phrase.flag(prefix, value)) }
            }
            add(.whatNext, "kind", RequestKind.allCases.map(\.rawValue))
            add(.outcomeText, "outcome", Outcome.allCases.map(\.rawValue))
            add(.stateText, "state", RequestState.allCases.map(\.rawValue))
        }
        self.phrases = phrases
    }

    /// The shipped templates, or the authority's from `FOIFLOW_TEMPLATES`, and the unit's contact
    /// from the environment.
    public static func standard(environment: [String: String] = ProcessInfo.processInfo.environment) -> LetterWriter {
        let folder = environment["FOIFLOW_TEMPLATES"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
        return LetterWriter(book: Result { () throws(LetterError) in try LetterBook(overrides: folder) }, unit: .fromEnvironment(environment))
    }

    /// A request's state in the words letters use (`phrase-state-text`), for the status page.
    public func stateText(_ state: RequestState) -> String? { phrases[Phrase.flag("state", state.rawValue)] }

    /// What happens next for a request of `kind`, in the words letters use (`phrase-what-next`).
    public func whatNext(_ kind: RequestKind) -> String? { phrases[Phrase.flag("kind", kind.rawValue)] }

    /// The same templates, naming `unit` (the unit's details as the database has them now).
    public func with(unit: UnitContact) -> LetterWriter {
        var writer = self
        writer.unit = unit
        return writer
    }

    /// Stands in for the reference number in a letter rendered before the reference exists;
    /// the statement that makes the reference replaces it. Random per process, so no
    /// requester's text can contain it.
    public static let referenceSlot = "[[ref-\(UUID().uuidString)]]"

    /// The acknowledgement `CREATE` writes, with the reference left as `referenceSlot`.
    public func acknowledgement(kind: RequestKind, record: RequestRecord, details: RequestDetails, accessCode: String? = nil) -> LetterDraft {
        var values = base(ref: LetterWriter.referenceSlot, requester: details.personal.requester, lead: nil)
        values["access_code"] = accessCode
        values["received"] = record.received.description
        values["due"] = record.due?.description
        values["what_next"] = phrases[Phrase.flag("kind", kind.rawValue)]
        return draft(.acknowledgement, values: values, details: details)
    }

    /// The letter `action` writes to the requester, if it writes one: clarification, fees
    /// notice, extension, response or refusal (review outcome for a review), transfer, lapse.
    /// `next`: the request after the action.
    public static func letterType(for action: Action, next: RequestRecord) -> LetterType? {
        switch action {
        case .clarify: .clarification
        case .feeNotice: .feeNotice
        case .extend: .extension
        case .respond:
            next.kind == .review
                ? .reviewOutcome : [.refused, .partial, .ncnd].contains(next.outcome ?? .granted) ? .refusal : .response
        case .transfer: .transfer
        case .lapse: .lapse
        case .create, .assign, .clarified, .feePaid, .idRequested, .idVerified, .submit, .approve, .return, .close, .withdraw,
            .reopen, .escalate, .recalculate, .contacted, .submitted, .decision, .complied, .appealed, .tribunal, .reviewOutcome,
            .icoOutcome, .hold, .release, .anonymised, .requesterViewed, .link, .unlink, .estimate, .aggregate, .acknowledge, .amend:
            nil
        }
    }

    /// The letter an action writes to the requester, if it writes one (`letterType(for:next:)`).
    /// `cost`: for a refusal under s.12, the estimate it rests on (hours, pounds, the limit).
    public func forAction(
        _ action: Action, ref: String, record next: RequestRecord, fields: [Field], details: RequestDetails, lead: LeadContact?,
        cost: (hours: String, amount: String, limit: String)? = nil
    ) -> LetterDraft? {
        guard let type = LetterWriter.letterType(for: action, next: next) else { return nil }
        let given = Dictionary(fields.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
        var values = base(ref: ref, requester: details.personal.requester, lead: lead)
        values["due"] = next.due?.description
        values["note"] = given["note"]
        switch type {
        case .feeNotice:
            values["amount"] = given["amount"]
        case .extension:
            values["reason"] = given["reason"]
            values["exemptions"] = given["exemptions"]
        case .response, .refusal, .reviewOutcome:
            let outcome = next.outcome ?? .granted
            values["outcome_text"] = phrases[Phrase.flag("outcome", outcome.rawValue)]
            values["exemptions"] = next.exemptions
            values["reasons"] = given["reason"] ?? given["note"]
            values["public_interest"] = given["public_interest"]
            // A data-protection complaint's answer names the right to complain to the ICO (s.165).
            if next.kind == .dpc { values["data_protection"] = "yes" }
            if let cost {
                values["cost_hours"] = cost.hours
                values["cost_amount"] = cost.amount
                values["cost_limit"] = cost.limit
            }
        case .transfer:
            values["transferred_to"] = next.transferredTo
        case .lapse:
            values["reason"] = given["reason"]
        case .acknowledgement, .clarification, .progressUpdate:
            break
        }
        return draft(type, values: values, details: details)
    }

    /// An open request due its monthly progress update.
    public struct UpdateDue: Sendable {
        public var ref: String
        public var state: RequestState
        public var due: CivilDate?
        public var details: RequestDetails
        public var lead: LeadContact?

        public init(ref: String, state: RequestState, due: CivilDate?, details: RequestDetails, lead: LeadContact?) {
            self.ref = ref
            self.state = state
            self.due = due
            self.details = details
            self.lead = lead
        }
    }

    /// The monthly progress updates of many open requests, rendered as one batch.
    public func progressUpdates(_ requests: [UpdateDue]) -> [LetterDraft] {
        let values = requests.map { request in
            var values = base(ref: request.ref, requester: request.details.personal.requester, lead: request.lead)
            values["due"] = request.due?.description
            values["state_text"] = phrases[Phrase.flag("state", request.state.rawValue)]
            return values
        }
        let rendered: [RenderedLetter]
        switch book {
        case .success(let book): rendered = book.render(.progressUpdate, many: values)
        case .failure(let error):
            rendered = values.map { _ in RenderedLetter(type: .progressUpdate, subject: "progress-update", body: "", missing: ["template (\(error))"])
            }
        }
        return zip(rendered, requests).map { decide($0, details: $1.details) }
    }

    /// The values every letter has: reference, requester, lead officer, unit.
    func base(ref: String, requester: String, lead: LeadContact?) -> [String: String] {
        let lead = lead.flatMap { $0.contactText == nil ? nil : $0 } ?? unit
        var values = ["ref": ref, "requester": requester]
        values["lead_name"] = lead.name ?? unit.name
        values["lead_contact"] = lead.contactText
        values["unit_name"] = unit.name
        values["unit_address"] = unit.address
        return values
    }

    /// Renders `type` and decides how it goes: a queued e-mail when it can, else a task saying why.
    func draft(_ type: LetterType, values: [String: String], details: RequestDetails) -> LetterDraft {
        let letter: RenderedLetter
        switch book {
        case .success(let book): letter = book.render(type, values)
        case .failure(let error): letter = RenderedLetter(type: type, subject: type.rawValue, body: "", missing: ["template (\(error))"])
        }
        return decide(letter, details: details)
    }

    /// How a rendered letter goes: a queued e-mail when it can, else a task saying why.
    func decide(_ letter: RenderedLetter, details: RequestDetails) -> LetterDraft {
        let type = letter.type
        let channel = LetterWriter.channel(details)
        var reasons: [String] = []
        let missingNote = letter.missing.isEmpty ? nil : "missing: \(letter.missing.map(LetterTemplate.describe).joined(separator: "; "))"
        if let missingNote { reasons.append(missingNote) }
        let recipient: String?
        switch channel {
        case .email:
            recipient = details.personal.email
            if details.personal.email == nil { reasons.append("no e-mail address") }
        case .post:
            recipient = details.personal.address
            reasons.append(details.personal.address == nil ? "send by post: no postal address" : "send by post")
        case .phone:
            recipient = details.personal.phone
            reasons.append(details.personal.phone.map { "telephone the requester on \($0)" } ?? "telephone the requester: no telephone number")
        }
        return LetterDraft(
            type: type, channel: channel, status: reasons.isEmpty ? "queued" : "task", recipient: recipient, subject: letter.subject,
            body: letter.body, taskNote: reasons.isEmpty ? nil : reasons.joined(separator: "; "), missingNote: missingNote)
    }

    /// The requester's preferred method, else e-mail when there is an address, else post.
    static func channel(_ details: RequestDetails) -> LetterChannel {
        switch details.contact {
        case .email?: .email
        case .post?: .post
        case .phone?: .phone
        // Nobody asks to be written to in person (`contact=` refuses it): as if no preference.
        case .inPerson?, nil: details.personal.email != nil ? .email : .post
        }
    }
}
