import Dates
import Foundation
import Store
import Testing

/// London's date, computed from the UK summer-time rule, agrees with the time-zone database.
@Suite struct LondonDateTests {
    @Test func agreesWithTheTimeZoneDatabaseEveryFewHoursFor2020To2030() throws {
        let zone = try #require(TimeZone(identifier: "Europe/London"))
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        var instant = Date(timeIntervalSince1970: 1_577_836_800)  // 2020-01-01T00:00:00Z
        let end = Date(timeIntervalSince1970: 1_924_992_000)  // 2031-01-01T00:00:00Z
        var checked = 0
        while instant < end {
            let parts = calendar.dateComponents([.year, .month, .day], from: instant)
            let expected = try #require(CivilDate(year: parts.year ?? 0, month: parts.month ?? 0, day: parts.day ?? 0))
            #expect(LondonDate.date(at: instant) == expected, "\(instant)")
            instant += 3 * 3600 + 7 * 60  // steps that cross every hour of the day over time
            checked += 1
        }
        #expect(checked > 30_000)
    }

    @Test func aroundTheClockChanges() {
        // BST began 2026-03-29 01:00 UTC and ends 2026-10-25 01:00 UTC.
        #expect(LondonDate.date(at: Date(timeIntervalSince1970: 1_774_747_800)) == CivilDate(year: 2026, month: 3, clampingDay: 29))
        // 2026-06-30T23:30:00Z is already 1 July in London.
        #expect(LondonDate.date(at: Date(timeIntervalSince1970: 1_782_862_200)) == CivilDate(year: 2026, month: 7, clampingDay: 1))
        // 2026-12-31T23:30:00Z is still 31 December (GMT).
        #expect(LondonDate.date(at: Date(timeIntervalSince1970: 1_798_759_800)) == CivilDate(year: 2026, month: 12, clampingDay: 31))
        #expect(
            LondonDate.today(environment: ["FOIFLOW_TODAY": "2026-12-01", "FOIFLOW_TODAY_OVERRIDE": "yes"])
                == CivilDate(year: 2026, month: 12, clampingDay: 1))
    }

    /// Issue 24, item 5: the date moves only when both variables say so.
    @Test func theOverrideNeedsBothVariables() {
        let date = CivilDate(year: 2030, month: 1, clampingDay: 2)
        #expect(LondonDate.Override(environment: [:]) == .none)
        #expect(LondonDate.Override(environment: ["FOIFLOW_TODAY_OVERRIDE": "yes"]) == .none)
        #expect(LondonDate.Override(environment: ["FOIFLOW_TODAY": "2030-01-02", "FOIFLOW_TODAY_OVERRIDE": "yes"]) == .honoured(date))
        for environment in [
            ["FOIFLOW_TODAY": "2030-01-02"], ["FOIFLOW_TODAY": "2030-01-02", "FOIFLOW_TODAY_OVERRIDE": "true"],
            ["FOIFLOW_TODAY": "tomorrow", "FOIFLOW_TODAY_OVERRIDE": "yes"],
        ] {
            guard case .refused = LondonDate.Override(environment: environment) else {
                Issue.record("\(environment) was not refused")
                continue
            }
            #expect(LondonDate.today(environment: environment) != date)
        }
        #expect(LondonDate.Override.honoured(date).notice?.contains("2030-01-02") == true)
    }

    @Test func clampingNeverFails() {
        #expect(CivilDate(year: 2026, month: 2, clampingDay: 31) == CivilDate(year: 2026, month: 2, clampingDay: 28))
        #expect(CivilDate(year: 2024, month: 2, clampingDay: 30).description == "2024-02-29")
        #expect(CivilDate(year: 2026, month: 13, clampingDay: 0).description == "2026-12-01")
    }
}
