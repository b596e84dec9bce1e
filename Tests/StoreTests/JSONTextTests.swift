import Dates
import Deadlines
import Foundation
import Testing
import Workflow

@testable import Store

/// The JSON the hot paths write by hand says what Foundation's encoder would, and reads back.
@Suite struct JSONTextTests {
    static func day(_ iso: String) -> CivilDate { CivilDate(iso: iso) ?? CivilDate(dayNumber: 0) }

    static var clocks: [StatutoryClock] {
        var plain = StatutoryClock(received: day("2026-11-20"))
        var paused = plain
        paused.pausedSince = day("2026-11-25")
        paused.pausedReason = .clarification
        paused.pausedDays = 3
        var busy = plain
        busy.feePeriods = [.init(notice: day("2026-11-21"), paid: day("2026-11-30")), .init(notice: day("2026-12-02"), paid: day("2026-12-03"))]
        busy.stops = [
            .init(reason: .fee, from: day("2026-11-21"), to: day("2026-11-30")),
            .init(reason: .identity, from: day("2026-12-01"), to: day("2026-12-04")),
        ]
        busy.extensions = [.init(on: day("2026-12-10"), amount: 20)]
        busy.extensionDays = 20
        busy.extensionMonths = 2
        var ruled = plain
        ruled.setDate = .init(on: day("2027-01-05"), event: "decision notice \"quoted\"\nline", due: day("2027-02-16"), basis: "35 calendar days")
        var ruledNoDue = plain
        ruledNoDue.setDate = .init(on: day("2027-01-05"), event: "tribunal", due: nil, basis: "none")
        plain.start = day("2024-02-29")
        return [plain, paused, busy, ruled, ruledNoDue]
    }

    @Test func clocksMatchFoundationsEncoderAndReadBack() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        for clock in JSONTextTests.clocks {
            let text = JSONText.clock(clock)
            #expect(text == String(decoding: try encoder.encode(clock), as: UTF8.self))
            #expect(try JSONDecoder().decode(StatutoryClock.self, from: Data(text.utf8)) == clock)
        }
    }

    @Test func fieldsAreKeyValuePairsWithEveryCharacterEscaped() throws {
        let fields = [Field("note", "a \"quote\", a back\\slash,\na line, a\ttab, \u{1} and \u{1F}, café, 🐝"), Field("to", "")]
        let text = JSONText.fields(fields)
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String]])
        #expect(parsed == fields.map { [$0.key, $0.value] })
        #expect(JSONText.fields([]) == "[]")
    }
}
