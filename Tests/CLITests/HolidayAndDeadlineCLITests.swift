import Foundation
import TestSupport
import Testing

@Suite(.requiresDatabase) struct HolidayAndDeadlineCLITests {
    func migrated(_ label: String) async throws -> [String: String] {
        // No fixed day: these commands are given their dates.
        try await CLIDatabase.create(label, users: [TestUser("admin", "admin")]).plain.merging(["FOIFLOW_USER": "admin"]) { $1 }
    }

    /// `foiflow grounds`: the table, by kind, in every format; and the free text migration could not read.
    @Test func groundsCommand() async throws {
        let env = try await migrated("cligrounds")
        let eir = try await Foiflow.run(["grounds", "--kind", "eir", "--format", "csv"], environment: env)
        let lines = eir.stdout.split(separator: "\n")
        #expect(eir.status == 0 && lines.first == "code,title,kinds,test,pit,ncnd,citation" && lines.count == 14, "\(eir.stdout)")
        #expect(
            lines.contains(
                #"r12(5)(b),"Course of justice, fair trial, criminal or disciplinary inquiry","eir,review",qualified,false,false,EIR r.12(5)(b)"#))
        let json = try await Foiflow.run(["grounds", "--format", "json"], environment: env)
        let all = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: String]])
        #expect(all.count == 56 && all.first?["code"] == "s1(3)")
        let table = try await Foiflow.run(["grounds", "--kind", "sar"], environment: env)
        #expect(table.status == 0 && table.stdout.contains("dpa-s45(4)(b)") && !table.stdout.contains("s31 "))
        let none = try await Foiflow.run(["grounds", "--unparsed", "--format", "csv"], environment: env)
        #expect(none.status == 0 && none.stdout == "ref,code,text,problem\n")
        let bad = try await Foiflow.run(["grounds", "--kind", "parking"], environment: env)
        #expect(bad.status != 0 && bad.stderr.contains("unknown kind"))
    }

    @Test func deadlineCommand() async throws {
        let env = try await migrated("clideadline")
        let foi = try await Foiflow.run(["deadline", "foi", "--received", "2026-11-20"], environment: env)
        #expect(foi.status == 0 && foi.stdout == "due=2026-12-21 max_due=2027-01-22\n")
        let json = try await Foiflow.run(["deadline", "sar", "--received", "2026-11-30", "--format", "json"], environment: env)
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: String]
        #expect(object == ["due": "2026-12-30", "max_due": "2027-03-01"])
        let scottish = try await Foiflow.run(["deadline", "foi", "--received", "2026-03-27", "--home-division", "scotland"], environment: env)
        let english = try await Foiflow.run(["deadline", "foi", "--received", "2026-03-27"], environment: env)
        #expect(scottish.status == 0 && scottish.stdout != english.stdout)
        for bad in [
            ["deadline", "foi", "--received", "2026-02-30"], ["deadline", "parking", "--received", "2026-01-01"],
            ["deadline", "foi", "--received", "2101-01-01"], ["deadline", "foi", "--received", "2026-01-01", "--calendar", "mars"],
        ] {
            let outcome = try await Foiflow.run(bad, environment: env)
            #expect(outcome.status == 2, "\(bad): \(outcome.stderr)")
            #expect(outcome.stdout.isEmpty && !outcome.stderr.isEmpty)
        }
    }

    @Test func addListRemoveAndTheirErrors() async throws {
        let env = try await migrated("cliholidays")
        let add = try await Foiflow.run(
            ["holidays", "add", "2027-06-07", "--division", "england-and-wales", "--title", "Extra day"], environment: env)
        #expect(add.status == 0, "\(add.stderr)")
        let due = try await Foiflow.run(["deadline", "complaint", "--received", "2027-06-04"], environment: env)
        #expect(due.stdout.hasPrefix("due=2027-06-21 "))  // 7 June skipped
        let duplicate = try await Foiflow.run(
            ["holidays", "add", "2027-06-07", "--division", "england-and-wales", "--title", "Again"], environment: env)
        #expect(duplicate.status == 4 && duplicate.stderr.contains("already a holiday"))
        let csv = try await Foiflow.run(
            ["holidays", "list", "--year", "2027", "--division", "england-and-wales", "--format", "csv"], environment: env)
        #expect(csv.stdout.contains("2027-06-07,england-and-wales,Extra day,no,admin"))
        let table = try await Foiflow.run(["holidays", "list", "--year", "2027", "--division", "england-and-wales"], environment: env)
        let json = try await Foiflow.run(
            ["holidays", "list", "--year", "2027", "--division", "england-and-wales", "--format", "json"], environment: env)
        let objects = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: String]])
        #expect(objects.count == csv.stdout.split(separator: "\n").count - 1)
        #expect(objects.count == table.stdout.split(separator: "\n").count - 1)
        let remove = try await Foiflow.run(["holidays", "remove", "2027-06-07", "--division", "england-and-wales"], environment: env)
        #expect(remove.status == 0)
        let again = try await Foiflow.run(["holidays", "remove", "2027-06-07", "--division", "england-and-wales"], environment: env)
        #expect(again.status == 3)
        let badDivision = try await Foiflow.run(["holidays", "add", "2027-06-07", "--division", "wales", "--title", "x"], environment: env)
        #expect(badDivision.status == 2)
        let badDate = try await Foiflow.run(["holidays", "add", "2027-02-29", "--division", "scotland", "--title", "x"], environment: env)
        #expect(badDate.status == 2)
        // A named user must exist, and be allowed to change the calendar.
        _ = try await Foiflow.run(["user", "add", "bkhan", "--role", "manager"], environment: env)
        let manager = try await Foiflow.run(
            ["holidays", "add", "2027-06-08", "--division", "scotland", "--title", "x", "--as", "bkhan"], environment: env)
        #expect(manager.status == 6 && manager.stderr.contains("may not change the holiday calendar"))
        let ghost = try await Foiflow.run(
            ["holidays", "add", "2027-06-08", "--division", "scotland", "--title", "x", "--as", "ghost"], environment: env)
        #expect(ghost.status == 3)
        let audit = try await TestDatabase.rows(env, "SELECT actor || ' ' || action FROM holiday_changes ORDER BY id")
        #expect(audit == ["admin add", "admin remove"])
    }

    @Test func importIsIdempotentAndRefusesMalformedFiles() async throws {
        let env = try await migrated("cliimport")
        let file = TestDatabase.packageRoot.appendingPathComponent("data/uk-bank-holidays.json").path
        _ = try await Foiflow.run(["holidays", "remove", "2026-06-15", "--division", "scotland"], environment: env)
        let first = try await Foiflow.run(["holidays", "import", file], environment: env)
        #expect(first.status == 0)
        #expect(first.stdout.contains("added 2026-06-15 scotland"))
        let second = try await Foiflow.run(["holidays", "import", file, "--format", "json"], environment: env)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(second.stdout.utf8)) as? [String: Any])
        #expect((report["added"] as? [Any])?.isEmpty == true)
        let bad = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID().uuidString).json")
        try #"{"scotland": {"events": [{"title": "x", "date": "2026-02-30"}]}}"#.write(to: bad, atomically: true, encoding: .utf8)
        let refused = try await Foiflow.run(["holidays", "import", bad.path], environment: env)
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("scotland.events[0].date"))
        let missing = try await Foiflow.run(["holidays", "import", "/nonexistent/file.json"], environment: env)
        #expect(missing.status == 1 && missing.stderr.contains("cannot read"))
    }

    @Test func rulesNeedNoDatabase() async throws {
        let outcome = try await Foiflow.run(["holidays", "rules", "--from", "2026", "--to", "2026", "--format", "csv"])
        #expect(outcome.status == 0)
        #expect(outcome.stdout.contains("2026-11-30,scotland,St Andrew's Day,no"))
        let sql = try await Foiflow.run(["holidays", "rules", "--from", "1990", "--to", "2100", "--format", "sql"])
        let seed = try String(contentsOf: TestDatabase.sqlDirectory.appendingPathComponent("0003_holidays_seed.sql"), encoding: .utf8)
        #expect(sql.stdout == seed, "sql/0003_holidays_seed.sql is what the rules generate")
    }
}
