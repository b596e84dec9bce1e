import Dates
import Deadlines
import Foundation
import Testing

/// The rules against the official data: same dates, and nothing else on a weekday.
@Suite struct HolidayRulesTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    func ruleDates(_ division: Division, _ years: ClosedRange<Int>) -> Set<String> {
        Set(years.flatMap { HolidayRules.holidays(year: $0, division: division) }.map(\.date.description))
    }

    struct GovUK: Decodable {
        struct DivisionEvents: Decodable {
            struct Event: Decodable { var title: String; var date: String; var notes: String }
            var division: String
            var events: [Event]
        }
    }

    @Test(arguments: Division.allCases)
    func rulesMatchGovUKData2011To2027(_ division: Division) throws {
        let data = try Data(contentsOf: Self.fixtures.appendingPathComponent("uk-bank-holidays-govuk-2011-2027.json"))
        let document = try JSONDecoder().decode([String: GovUK.DivisionEvents].self, from: data)
        let official = Set(try #require(document[division.rawValue]).events.map(\.date))
        let rules = ruleDates(division, 2011...2027)
        #expect(official.subtracting(rules).sorted() == [], "in GOV.UK but not produced by the rules")
        #expect(rules.subtracting(official).sorted() == [], "produced by the rules but not in GOV.UK")
        #expect(official.count > 130)
    }

    @Test(arguments: Division.allCases)
    func rulesMatchTheTable1990To2040(_ division: Division) throws {
        let text = try String(contentsOf: Self.fixtures.appendingPathComponent("uk-bank-holidays-1990-2040.csv"), encoding: .utf8)
        let official = Set(
            text.split(separator: "\n").dropFirst().compactMap { line -> String? in
                let fields = line.split(separator: ",", maxSplits: 2)
                return fields.count == 3 && fields[1] == division.rawValue ? String(fields[0]) : nil
            })
        let rules = ruleDates(division, 1990...2040)
        #expect(official.subtracting(rules).sorted() == [], "in the table but not produced by the rules")
        #expect(rules.subtracting(official).sorted() == [], "produced by the rules but not in the table")
        #expect(official.count > 400)
    }

    @Test func rulesNeverPutAHolidayOnAWeekendOrTwiceOnADay() {
        for year in 1990...2100 {
            for division in Division.allCases {
                let dates = HolidayRules.holidays(year: year, division: division).map(\.date)
                #expect(dates.allSatisfy { !$0.weekday.isWeekend }, "\(division) \(year)")
                #expect(Set(dates).count == dates.count, "\(division) \(year) has a day twice")
                #expect(dates.allSatisfy { $0.year == year || ($0.month == 1 && $0.year == year + 1) })
            }
        }
    }

    @Test(arguments: [
        (2000, "2000-04-23"), (2011, "2011-04-24"), (2019, "2019-04-21"), (2024, "2024-03-31"),
        (2025, "2025-04-20"), (2026, "2026-04-05"), (2038, "2038-04-25"), (2100, "2100-03-28"),
    ])
    func easterSunday(_ year: Int, _ date: String) {
        #expect(HolidayRules.easterSunday(year).description == date)
    }

    @Test func stAndrewsDayStartsIn2007WithSubstitutes() {
        let scotland2006 = HolidayRules.holidays(year: 2006, division: .scotland).map(\.title)
        #expect(!scotland2006.contains(HolidayRules.Title.stAndrew))
        let s2025 = HolidayRules.holidays(year: 2025, division: .scotland).first { $0.title == HolidayRules.Title.stAndrew }
        #expect(s2025?.date.description == "2025-12-01")
        #expect(s2025?.isSubstitute == true)
        #expect(s2025?.reason == "St Andrew's Day (substitute day)")
    }

    @Test func christmasOnASundayKeepsBoxingDayOnMonday() {
        let days = HolidayRules.holidays(year: 2022, division: .englandAndWales).filter { $0.date.month == 12 }
        #expect(days.map { "\($0.date) \($0.reason)" } == ["2022-12-26 Boxing Day", "2022-12-27 Christmas Day (substitute day)"])
    }
}
