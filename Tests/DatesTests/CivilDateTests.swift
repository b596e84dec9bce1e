import Dates
import Foundation
import Testing

@Suite struct CivilDateTests {
    @Test func parsesAndFormatsISODates() throws {
        let date = try #require(CivilDate(iso: "2026-11-20"))
        #expect(date.year == 2026 && date.month == 11 && date.day == 20)
        #expect(date.description == "2026-11-20")
        #expect(CivilDate(year: 1, month: 1, day: 1)?.description == "0001-01-01")
    }

    @Test(arguments: [
        "2026-02-30", "2025-02-29", "2026-13-01", "2026-00-10", "2026-04-31", "26-11-20",
        "2026-1-20", "2026/11/20", "", "2026-11-20x", "２０２６-11-20", "abcd-ef-gh",
    ])
    func rejectsImpossibleOrMalformedDates(_ text: String) {
        #expect(CivilDate(iso: text) == nil)
    }

    @Test func leapYears() {
        #expect(CivilDate(iso: "2024-02-29") != nil)
        #expect(CivilDate(iso: "2000-02-29") != nil)
        #expect(CivilDate(iso: "1900-02-29") == nil)
        #expect(CivilDate.isLeapYear(2100) == false)
    }

    @Test func dayNumbersAgreeWithFoundationAcrossCenturies() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(identifier: "UTC"))
        // Every 37th day from 1900 to 2200: year, month, day and weekday match Foundation's.
        let start = try #require(CivilDate(iso: "1900-01-01")).dayNumber
        let end = try #require(CivilDate(iso: "2200-12-31")).dayNumber
        for n in stride(from: start, through: end, by: 37) {
            let date = CivilDate(dayNumber: n)
            let foundation = Date(timeIntervalSince1970: Double(n) * 86_400)
            let parts = calendar.dateComponents([.year, .month, .day, .weekday], from: foundation)
            #expect(parts.year == date.year && parts.month == date.month && parts.day == date.day, "day \(n)")
            // Foundation: Sunday = 1; ISO: Monday = 1.
            #expect(((parts.weekday ?? 0) + 5) % 7 + 1 == date.weekday.rawValue, "weekday of \(date)")
            #expect(CivilDate(iso: date.description) == date)
        }
    }

    @Test func knownWeekdays() throws {
        #expect(try #require(CivilDate(iso: "1970-01-01")).weekday == .thursday)
        #expect(try #require(CivilDate(iso: "2026-11-22")).weekday == .sunday)
        #expect(try #require(CivilDate(iso: "2026-11-30")).weekday == .monday)
    }

    @Test func monthArithmeticClampsToTheMonthEnd() throws {
        func d(_ s: String) throws -> CivilDate { try #require(CivilDate(iso: s)) }
        #expect(try d("2026-01-31").adding(months: 1) == d("2026-02-28"))
        #expect(try d("2024-01-31").adding(months: 1) == d("2024-02-29"))
        #expect(try d("2026-09-03").adding(months: 1) == d("2026-10-03"))
        #expect(try d("2026-11-30").adding(months: 3) == d("2027-02-28"))
        #expect(try d("2026-12-15").adding(months: 1) == d("2027-01-15"))
        #expect(try d("2026-03-31").adding(months: -1) == d("2026-02-28"))
        #expect(try d("2026-01-10").adding(months: -13) == d("2024-12-10"))
    }

    @Test func dayArithmetic() throws {
        let a = try #require(CivilDate(iso: "2026-12-31"))
        #expect(a.adding(days: 1).description == "2027-01-01")
        #expect(a.days(to: a.adding(days: -400)) == -400)
        #expect(a < a.adding(days: 1))
    }

    @Test func codableAsISOString() throws {
        let date = try #require(CivilDate(iso: "2026-06-15"))
        let data = try JSONEncoder().encode([date])
        #expect(String(decoding: data, as: UTF8.self) == "[\"2026-06-15\"]")
        #expect(try JSONDecoder().decode([CivilDate].self, from: data) == [date])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([CivilDate].self, from: Data("[\"2026-02-30\"]".utf8)) }
    }
}
