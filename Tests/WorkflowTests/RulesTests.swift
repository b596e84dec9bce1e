import Dates
import Deadlines
import Foundation
import Testing
import Workflow

/// What used to be implicit, pinned: the clock's stored form, one derivation of a due
/// date for DEADLINE and CREATE, the escalation levels and the lapse rules.
@Suite struct RulesTests {
    let officer = Actor(login: "asmith", role: .officer)

    @Test func theClockIsStoredWithTheseKeys() throws {
        var clock = StatutoryClock(received: day("2026-11-20"))
        clock.pausedSince = day("2026-11-25")
        clock.feePeriods = [.init(notice: day("2026-11-21"), paid: day("2026-11-24"))]
        clock.pausedDays = 3
        clock.extensionDays = 5
        clock.extensionMonths = 1
        clock.pausedReason = .clarification
        clock.stops = [.init(reason: .fee, from: day("2026-11-21"), to: day("2026-11-24"))]
        clock.extensions = [.init(on: day("2026-11-23"), amount: 5)]
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = String(decoding: try encoder.encode(clock), as: UTF8.self)
        #expect(
            json
                == #"{"extensionDays":5,"extensionMonths":1,"extensions":[{"amount":5,"on":"2026-11-23"}],"feePeriods":[{"notice":"2026-11-21","paid":"2026-11-24"}],"pausedDays":3,"pausedReason":"clarification","pausedSince":"2026-11-25","start":"2026-11-20","stops":[{"from":"2026-11-21","reason":"fee","to":"2026-11-24"}]}"#
        )
        // A row as stored before stops and extensions were recorded still reads.
        let stored = #"{"start":"2026-11-20","pausedSince":null,"feePeriods":[],"pausedDays":0,"extensionDays":0,"extensionMonths":0}"#
        #expect(try JSONDecoder().decode(StatutoryClock.self, from: Data(stored.utf8)) == StatutoryClock(received: day("2026-11-20")))
        // Lapsing reads this key in SQL.
        #expect(StatutoryClock.CodingKeys.pausedSince.rawValue == "pausedSince")
    }

    /// DEADLINE's answer and the due date CREATE stores come from the same code.
    @Test(arguments: RequestKind.allCases.filter { $0.rule != .setByOthers }) func deadlineAndCreateAgree(kind: RequestKind) throws {
        let calculator = DeadlineCalculator(calendars: .rules)
        var date = day("2025-12-01")
        for _ in 0..<800 {
            for calendar in [nil] + CalendarID.allCases.map(Optional.some) {
                var fields = [Field("received", date.description), Field("requester", "J")]
                if let calendar { fields.append(Field("calendar", calendar.rawValue)) }
                if !kind.parentKinds.isEmpty { fields.append(Field("parent", "FOI-2025-000001")) }
                let record = try engine.create(kind: kind, fields: fields, by: officer, today: day("2030-01-01")).record
                let deadline = try calculator.deadline(kind: kind, start: date, calendar: calendar)
                #expect(record.due == deadline.due && record.maxDue == deadline.maxDue, "\(kind) \(date) \(calendar?.rawValue ?? "default")")
            }
            date = date.adding(days: 1)
        }
    }

    @Test func escalationLevelsAtTheirBoundaries() throws {
        let uk = CalendarSet.rules[.uk]
        let asOf = day("2026-12-02")  // a Wednesday
        func level(_ daysLeft: Int) throws -> EscalationLevel? {
            try EscalationLevel.level(due: uk.addWorkingDays(asOf, daysLeft), asOf: asOf, calendar: uk)
        }
        #expect(try level(4) == nil)
        #expect(try level(3) == .warning && level(0) == .warning)
        #expect(try level(-1) == .overdue && level(-19) == .overdue)
        #expect(try level(-20) == .veryOverdue && level(-60) == .veryOverdue)
        // On a Saturday a request due the day before is overdue although 0 working days separate them.
        #expect(try EscalationLevel.level(due: day("2026-12-04"), asOf: day("2026-12-05"), calendar: uk) == .overdue)
        // Cutoffs never cross: a more severe level's cutoff is earlier.
        var date = day("2026-01-01")
        for _ in 0..<400 {
            let cutoffs = try EscalationLevel.allCases.map { try $0.cutoff(asOf: date, calendar: uk) }
            #expect(cutoffs == cutoffs.sorted(), "\(date)")
            date = date.adding(days: 1)
        }
        #expect(EscalationLevel.veryOverdue > .overdue && EscalationLevel.overdue > .warning)
    }

    @Test func recipientsAreTriedInTheOrderTheStoreTriesThem() {
        for level in EscalationLevel.allCases {
            #expect(!level.recipients.isEmpty)
            #expect(level.recipients == EscalationRecipient.allCases.filter(level.recipients.contains), "\(level)")
            #expect(level.recipients.last == .headOfUnit)
        }
        #expect(EscalationLevel.warning.recipients.first == .assignee)
    }

    @Test func lapseRulesFollowTheTransitionTable() {
        let rules = LapseRule.rules(feeMonths: 3, clarificationMonths: 2)
        let lapse = TransitionTable.spec(for: .lapse)
        for rule in rules {
            #expect(lapse.from.contains(rule.state), "a \(rule.state) request can lapse")
            #expect(lapse.target(from: rule.state) == .lapsed)
        }
        let fee = rules.first { $0.state == .awaitingFee }
        #expect(fee?.kinds == [.foi])
        #expect(fee?.applies(kind: .foi, state: .awaitingFee, stoppedOn: day("2026-01-31"), asOf: day("2026-04-30")) == true)
        #expect(fee?.applies(kind: .foi, state: .awaitingFee, stoppedOn: day("2026-01-31"), asOf: day("2026-04-29")) == false)
        #expect(fee?.applies(kind: .sar, state: .awaitingFee, stoppedOn: day("2026-01-01"), asOf: day("2027-01-01")) == false)
        let clarification = rules.first { $0.state == .awaitingClarification }
        #expect(clarification?.kinds == Set(RequestKind.allCases) && clarification?.months == 2)
    }

    @Test func everyActionHasExactlyOneRowAndKindsCarryTheirRules() {
        #expect(TransitionTable.specs.map(\.action) == Action.allCases)
        for action in Action.allCases { #expect(TransitionTable.spec(for: action).action == action) }
        #expect(TransitionTable.spec(for: .extend).kinds == Set(RequestKind.allCases.filter { $0.rule.maxExtension > 0 }))
        #expect(!TransitionTable.spec(for: .extend).kinds.contains(.complaint))
        for kind in RequestKind.allCases {
            #expect(RequestKind(referencePrefix: kind.referencePrefix) == kind)
            #expect(RequestReference("\(kind.referencePrefix)-2026-000124")?.kind == kind)
        }
        #expect(Set(RequestKind.allCases.map(\.referencePrefix)).count == RequestKind.allCases.count)
        #expect(RequestReference("FOI-2026-12345") == nil && RequestReference("XYZ-2026-000001") == nil)
        #expect(RequestReference("FOI-2026-000124")?.description == "FOI-2026-000124")
    }
}
