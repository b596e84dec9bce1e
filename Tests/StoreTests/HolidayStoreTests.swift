import Dates
import Deadlines
import Formats
import Foundation
import Postgres
import Store
import TestSupport
import Testing
import Workflow

@Suite(.requiresDatabase) struct HolidayStoreTests {
    func date(_ s: String) throws -> CivilDate { try #require(CivilDate(iso: s)) }

    @Test func theSeedMigrationIsExactlyTheRules() async throws {
        let pool = try await TestDatabase.migratedPool("seed")
        defer { Task { await pool.shutdown() } }
        let stored = try await HolidayStore(pool: pool).list()
        #expect(stored.allSatisfy { $0.source == "rules" })
        let rules = HolidayRules.holidays(years: HolidayStore.storedYears)
        #expect(Set(stored.map(\.holiday)) == Set(rules))
        #expect(stored.count == rules.count)
        // Calendars from the table agree with calendars from the rules.
        let (_, calendars) = try await HolidayStore(pool: pool).loadCalendars()
        for id in CalendarID.allCases {
            for text in ["2026-11-30", "2026-06-15", "2022-09-19", "2100-12-27", "1990-04-16"] {
                #expect(try calendars[id].isWorkingDay(date(text)) == CalendarSet.rules[id].isWorkingDay(date(text)))
            }
        }
    }

    @Test func addAndRemoveAreAuditedAndMoveTheCalendar() async throws {
        let pool = try await TestDatabase.migratedPool("addremove")
        defer { Task { await pool.shutdown() } }
        let store = HolidayStore(pool: pool)
        let before = try await store.version()
        let extra = Holiday(date: try date("2027-06-07"), division: .englandAndWales, title: "Extra day")
        try await store.add(extra, actor: "admin")
        #expect(try await store.version() > before)
        #expect(try await store.loadCalendars().calendars[.englandAndWales].reason(date("2027-06-07")) == "Extra day")
        #expect(try await store.list(year: 2027, division: .englandAndWales).contains { $0.holiday == extra && $0.source == "admin" })
        await #expect(throws: WorkflowError.conflict("2027-06-07 is already a holiday in england-and-wales")) {
            try await store.add(extra, actor: "admin")
        }
        let removed = try await store.remove(date: try date("2027-06-07"), division: .englandAndWales, actor: "admin")
        #expect(removed.holiday.holiday.title == "Extra day")
        #expect(try await store.loadCalendars().calendars[.englandAndWales].isWorkingDay(date("2027-06-07")))
        await #expect(throws: WorkflowError.self) { try await store.remove(date: try date("2027-06-07"), division: .englandAndWales, actor: "admin") }
        await #expect(throws: WorkflowError.self) {
            try await store.add(Holiday(date: try date("2101-01-03"), division: .scotland, title: "x"), actor: "admin")
        }
        let audit = try await pool.query("SELECT actor, action, title FROM holiday_changes ORDER BY id").rows.map {
            "\(try $0.decode(String.self, "actor")) \(try $0.decode(String.self, "action")) \(try $0.decode(String?.self, "title") ?? "")"
        }
        #expect(audit == ["admin add Extra day", "admin remove Extra day"])
    }

    @Test func theAuditTrailIsAppendOnly() async throws {
        let pool = try await TestDatabase.migratedPool("audit")
        defer { Task { await pool.shutdown() } }
        try await HolidayStore(pool: pool).add(Holiday(date: try date("2027-06-07"), division: .scotland, title: "x"), actor: "a")
        await #expect(throws: PostgresError.self) { try await pool.query("UPDATE holiday_changes SET actor = 'someone else'") }
        await #expect(throws: PostgresError.self) { try await pool.query("DELETE FROM holiday_changes") }
        #expect(try await pool.query("SELECT count(*) AS n FROM holiday_changes WHERE actor = 'a'").first?.decode(Int.self, "n") == 1)
    }

    @Test func importAddsWhatIsMissingAndIsIdempotent() async throws {
        let pool = try await TestDatabase.migratedPool("import")
        defer { Task { await pool.shutdown() } }
        let store = HolidayStore(pool: pool)
        let file = try Data(contentsOf: TestDatabase.packageRoot.appendingPathComponent("data/uk-bank-holidays.json"))
        let holidays = try GovUKHolidayFile.parse(file)
        #expect(holidays.count > 200)
        // The rules already have every official day.
        let first = try await store.importHolidays(holidays, actor: "admin", sourceName: "f.json")
        #expect(first.added == [] && first.alreadyPresent == holidays.count)
        // A day the table lacks (as if proclaimed after the seed) is added, once.
        _ = try await store.remove(date: try date("2026-06-15"), division: .scotland, actor: "admin")
        let versionBefore = try await store.version()
        let second = try await store.importHolidays(holidays, actor: "admin", sourceName: "f.json")
        #expect(second.added.map { "\($0.date) \($0.division.rawValue)" } == ["2026-06-15 scotland"])
        #expect(try await store.version() > versionBefore)
        let third = try await store.importHolidays(holidays, actor: "admin", sourceName: "f.json")
        #expect(third.added.isEmpty)
        #expect(try await store.list(year: 2026, division: .scotland).first { $0.holiday.date.description == "2026-06-15" }?.source == "import")
    }

    @Test func aFailingImportWritesNothing() async throws {
        let pool = try await TestDatabase.migratedPool("importfail")
        defer { Task { await pool.shutdown() } }
        let store = HolidayStore(pool: pool)
        let good = Holiday(date: try date("2027-06-08"), division: .scotland, title: "New day")
        let bad = Holiday(date: try date("2027-06-09"), division: .scotland, title: "")  // violates the title check
        await #expect(throws: PostgresError.self) { try await store.importHolidays([good, bad], actor: "admin", sourceName: "x") }
        #expect(try await store.list(year: 2027, division: .scotland).contains { $0.holiday.date == good.date } == false)
        #expect(try await pool.query("SELECT count(*) AS n FROM holiday_changes").first?.decode(Int.self, "n") == 0)
    }

    @Test func theCacheSeesAChangeWithoutARestart() async throws {
        let pool = try await TestDatabase.migratedPool("cache")
        defer { Task { await pool.shutdown() } }
        let store = HolidayStore(pool: pool)
        let cache = CalendarCache(store: store, maxAge: .milliseconds(50))
        #expect(try await cache.current()[.uk].isWorkingDay(date("2027-06-07")))
        try await store.add(Holiday(date: try date("2027-06-07"), division: .northernIreland, title: "New day"), actor: "admin")
        try await Task.sleep(for: .milliseconds(80))
        #expect(try await cache.current()[.uk].reason(date("2027-06-07")) == "New day")
        #expect(try await cache.current()[.englandAndWales].isWorkingDay(date("2027-06-07")))
    }
}

@Suite struct GovUKHolidayFileTests {
    func problem(_ json: String) -> String? {
        do {
            _ = try GovUKHolidayFile.parse(Data(json.utf8))
            return nil
        } catch {
            return error.description
        }
    }

    @Test func readsTheOfficialFormat() throws {
        let json =
            #"{"scotland": {"division": "scotland", "events": [{"title": "St Andrew’s Day", "date": "2025-12-01", "notes": "Substitute day", "bunting": true}]}}"#
        let holidays = try GovUKHolidayFile.parse(Data(json.utf8))
        #expect(holidays.count == 1)
        #expect(holidays.first?.division == .scotland)
        #expect(holidays.first?.title == "St Andrew's Day")
        #expect(holidays.first?.isSubstitute == true)
    }

    @Test func namesTheFieldThatIsWrong() {
        #expect(problem(#"{"wales": {"events": []}}"#)?.hasPrefix("wales: unknown division") == true)
        #expect(problem(#"{"scotland": {"division": "scotland"}}"#) == "scotland.events: missing or not a list")
        #expect(
            problem(#"{"scotland": {"events": [{"title": "x", "date": "2026-02-30"}]}}"#)
                == "scotland.events[0].date: \"2026-02-30\" is not a valid YYYY-MM-DD date")
        #expect(
            problem(#"{"scotland": {"events": [{"title": "x", "date": "2026-01-01"}, {"date": "2026-01-02"}]}}"#)
                == "scotland.events[1].title: missing or empty")
        #expect(problem(#"{"scotland": {"events": [{"title": "x", "date": "1989-01-02"}]}}"#)?.contains("outside") == true)
        #expect(
            problem(#"{"scotland": {"events": [{"title": "x", "date": "2026-01-01"}, {"title": "y", "date": "2026-01-01"}]}}"#)?.contains(
                "listed twice") == true)
        #expect(problem(#"{"scotland": {"division": "england-and-wales", "events": []}}"#) == "scotland.division: must be \"scotland\"")
        #expect(problem("[1, 2]")?.contains("top level") == true)
        #expect(problem("{}") == "the file names no division")
    }

    @Test func syntaxErrorsSayWhere() {
        let message = problem("{\n \"scotland\": {\"events\": [\n {\"title\": \"x\", \"date\": tru}]}}")
        #expect(message?.hasPrefix("not valid JSON") == true)
        #expect(message?.contains("line 3") == true, "\(message ?? "")")
    }
}
