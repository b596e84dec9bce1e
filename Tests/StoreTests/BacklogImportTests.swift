import Dates
import Deadlines
import Formats
import Foundation
import Postgres
import Store
import TestSupport
import Testing
import Workflow

/// A spreadsheet as units keep them: every awkward case of a real export, and (optionally)
/// every kind of bad row, with the line each bad row starts on.
struct Spreadsheet {
    var text = "\u{FEFF}kind,received,requester,subject,email,address,contact,team,assignee,legacy_ref,responded_on,outcome,exemptions,phone\r\n"
    var line = 1
    var goodRows = 0
    var answered = 0
    /// `line N, column C` of each bad row written.
    var expectedProblems: [String] = []

    mutating func add(_ fields: [String], bad column: String? = nil, badLine: Bool = false) {
        line += 1
        if let column { expectedProblems.append("line \(line), column \(column)") }
        if badLine { expectedProblems.append("line \(line):") }
        let row = fields.joined(separator: ",")
        text += row + "\r\n"
        // Line breaks inside quoted fields make the row take more lines.
        line += row.unicodeScalars.filter { $0 == "\n" }.count
        if column == nil && !badLine { goodRows += 1 }
    }

    static func make(rows: Int, withBadRows: Bool) -> Spreadsheet {
        var sheet = Spreadsheet()
        let kinds = ["foi", "FOI", "eir", "sar", "complaint", "Foi"]
        for i in 0..<rows {
            let kind = kinds[i % kinds.count]
            let day = CivilDate(iso: "2025-01-06")?.adding(days: i % 600) ?? CivilDate(dayNumber: 0)
            // Dates as ISO or as UK spreadsheets write them.
            let received = i % 3 == 0 ? String(format: "%02d/%02d/%04d", day.day, day.month, day.year) : day.description
            let requester = i % 7 == 0 ? "\"O'Neil, Jane \"\"JJ\"\"\"" : "Requester \(i)"
            let subject = i % 5 == 0 ? "\"Stop and search,\nby ward\r\nand by month\"" : "Subject \(i)"
            let email = i % 2 == 0 ? "r\(i)@example.org" : ""
            let contact = ["Email", "post", "", "phone"][i % 4]
            let legacy = i % 4 == 3 ? "" : "OLD/\(i)"
            var responded = "", outcome = "", exemptions = ""
            if i % 3 != 1 {
                responded = day.adding(days: 10 + i % 20).description
                outcome = ["granted", "partial", "refused", "not-held"][i % 4]
                if outcome == "partial" || outcome == "refused" {
                    exemptions =
                        kind.lowercased() == "eir"
                        ? "reg 12(5)(b)" : kind == "sar" ? "DPA s45(4)(b)" : kind == "complaint" ? "" : "\"S.40(2), section 31\""
                }
                sheet.answered += 1
            }
            let assignee = i % 10 == 0 ? "asmith" : ""
            sheet.add([
                kind, received, requester, subject, email, "", contact, " north ", assignee, legacy, responded, outcome, exemptions,
                contact == "phone" ? "01234 567890" : "",
            ])
            if withBadRows && i % 180 == 90 {
                let bad: [([String], String?)] = [
                    (["parking", "2025-03-03", "R"], "kind"),
                    (["foi", "31/02/2025", "R"], "received"),
                    (["foi", "2027-01-01", "R"], "received"),
                    (["foi", "2025-03-03", ""], "requester"),
                    (["foi", "2025-03-03", "R", "", "", "", "pigeon"], "contact"),
                    (["foi", "2025-03-03", "R", "", "not-an-address"], "email"),
                    (["foi", "2025-03-03", "R", "", "", "", "", "", "nobody"], "assignee"),
                    (["foi", "2025-03-03", "R", "", "", "", "", "", "", "", "2025-03-10", "maybe"], "outcome"),
                    (["foi", "2025-03-03", "R", "", "", "", "", "", "", "", "2025-03-01", "granted"], "responded_on"),
                    (["foi", "2025-03-03", "R", "", "", "", "", "", "", "", "2025-03-10", "refused"], "outcome"),
                    (["foi", "2025-03-03", "R", "", "", "", "", "", "", "", "2025-03-10", "refused", "r12(5)(b)"], "exemptions"),
                    (["review", "2025-03-03", "R"], "kind"),
                    (["foi", "2025-03-03", "R", "", "", "", "", "", "", "OLD/0"], "legacy_ref"),
                ]
                let (fields, column) = bad[(i / 180) % bad.count]
                sheet.add(fields + Array(repeating: "", count: max(0, 14 - fields.count)), bad: column)
            }
        }
        // Spreadsheets end with empty rows.
        sheet.text += ",,,,,,,,,,,,\r\n\r\n,,,\r\n"
        return sheet
    }
}

@Suite(.requiresDatabase) struct BacklogImportTests {
    @Test func aRealisticFileIsAllOrNothingIdempotentAndDueAsCreate() async throws {
        let f = try await RequestFixture("import")
        let importer = BacklogImport(pool: f.pool, calendars: CalendarCache(store: HolidayStore(pool: f.pool), maxAge: .zero))
        let today = try #require(CivilDate(iso: "2026-11-23"))

        // Every kind of bad row: all listed, with line and column, and nothing written.
        let bad = Spreadsheet.make(rows: 2000, withBadRows: true)
        #expect(bad.expectedProblems.count >= 11)
        do {
            _ = try await importer.run(BacklogFile(data: Data(bad.text.utf8)), by: f.manager, today: today)
            Issue.record("a file with bad rows was imported")
        } catch let refused as BacklogImport.Refused {
            let listed = refused.problems.map(\.description)
            #expect(listed.count == bad.expectedProblems.count, "\(listed)")
            for (problem, expected) in zip(listed, bad.expectedProblems) {
                #expect(problem.hasPrefix(expected), "\(problem) should start \(expected)")
            }
        }
        #expect(try await f.pool.query("SELECT count(*) AS n FROM requests").first?.decode(Int.self, "n") == 0)

        // The same file without its bad rows: a dry run writes nothing; the import writes all.
        let good = Spreadsheet.make(rows: 2000, withBadRows: false)
        let file = BacklogFile(data: Data(good.text.utf8))
        #expect(file.rows.count == 2000 && file.problems.isEmpty)
        let dry = try await importer.run(file, by: f.manager, today: today, dryRun: true)
        #expect(dry.created == 2000 && dry.dryRun)
        #expect(try await f.pool.query("SELECT count(*) AS n FROM requests").first?.decode(Int.self, "n") == 0)
        let report = try await importer.run(file, by: f.manager, today: today)
        #expect(report.created == 2000 && report.answered == good.answered && report.alreadyImported == 0)
        // Again: nothing new.
        let again = try await importer.run(file, by: f.manager, today: today)
        #expect(again.created == 0 && again.alreadyImported == 2000)
        #expect(try await f.pool.query("SELECT count(*) AS n FROM requests").first?.decode(Int.self, "n") == 2000)

        // Each request's due date is the one CREATE gives for the same kind and date of receipt.
        let rows = try await f.pool.query("SELECT ref, kind, received, due, max_due, state, version, legacy_ref FROM requests ORDER BY id").rows
        let calculator = DeadlineCalculator(calendars: try await CalendarCache(store: HolidayStore(pool: f.pool)).current())
        for row in rows {
            let kind = try #require(RequestKind(rawValue: try row.decode(String.self, "kind")))
            let deadline = try calculator.deadline(kind: kind, start: try row.decode(CivilDate.self, "received"))
            #expect(try row.decode(CivilDate?.self, "due") == deadline.due && row.decode(CivilDate?.self, "max_due") == deadline.maxDue)
        }
        // The first row (an FOI received 06/01/2025) and the same request made with CREATE.
        let created = try await f.store.create(
            kind: .foi, fields: [Field("received", "2025-01-06"), Field("requester", "R")], by: f.officer, today: today)
        let imported = try #require(rows.first)
        #expect(try imported.decode(CivilDate.self, "received") == CivilDate(iso: "2025-01-06"))
        #expect(created.due == (try imported.decode(CivilDate?.self, "due")))
        // Answered rows are answered, with events and grounds; the legacy reference is on SHOW.
        #expect(rows.filter { (try? $0.decode(String.self, "state")) == "responded" }.count == good.answered)
        let events = try await f.pool.query("SELECT count(*) AS n FROM request_events").first?.decode(Int.self, "n") ?? 0
        #expect(events == 2000 + good.answered + 200 + 1)  // create, respond, assign; and the one created by hand
        let refs = try rows.compactMap { row in try row.decode(String?.self, "legacy_ref") == "OLD/5" ? try row.decode(String.self, "ref") : nil }
        let shown = try await f.store.show(ref: try #require(refs.first), today: today)
        #expect(shown.legacyRef == "OLD/5" && shown.subject == "Stop and search,\nby ward\nand by month" && shown.contact == "post")
        let quoted = try await f.store.show(ref: try #require(rows.first.map { try $0.decode(String.self, "ref") }), today: today)
        #expect(quoted.requester == #"O'Neil, Jane "JJ""# && quoted.team == "north" && quoted.assignee == "asmith")
        let grounds = try await f.pool.query("SELECT count(DISTINCT ground) AS n FROM request_grounds").first?.decode(Int.self, "n")
        #expect(grounds == 4)  // s40(2), s31, r12(5)(b), dpa-s45(4)(b)
        await f.shutdown()
    }

    @Test func headerProblemsAndDates() throws {
        #expect(BacklogFile.date("03/02/2025") == CivilDate(iso: "2025-02-03"))
        #expect(BacklogFile.date("3/2/2025") == CivilDate(iso: "2025-02-03"))
        #expect(BacklogFile.date("2025-02-03") == CivilDate(iso: "2025-02-03"))
        for bad in ["31/02/2025", "2025/02/03", "03-02-2025", "3/2/25", "", "yesterday"] { #expect(BacklogFile.date(bad) == nil, "\(bad)") }
        let missing = BacklogFile(data: Data("kind,requester,colour\nfoi,R,red\n".utf8))
        #expect(
            missing.problems.map(\.description) == [
                "line 1, column colour: unknown column (columns: kind, received, requester, subject, email, address, phone, contact, team, assignee, legacy_ref, responded_on, outcome, exemptions)",
                "line 1, column received: required column missing",
            ])
        #expect(BacklogFile(data: Data([0xFF, 0xFE, 0x00])).problems.first?.message.contains("UTF-8") == true)
        // A quoted line break keeps the line count true; LF and CR alike.
        let file = BacklogFile(data: Data("kind,received,requester\nfoi,2025-01-06,\"A\nB\"\rfoi,2025-01-07,C\n".utf8))
        #expect(file.rows.map(\.line) == [2, 4])
    }

    /// Issue 24: the reader streams, finds an unterminated quote and keeps to its caps.
    @Test func theReaderIsStrictAndBounded() throws {
        func read(_ text: String, _ limits: BacklogFile.Limits = .standard) -> BacklogFile { BacklogFile(data: Data(text.utf8), limits: limits) }
        let header = "kind,received,requester,subject\n"
        // Quoted commas, doubled quotes, CRLF inside and between records, a BOM, a last row with no line end.
        let good = read(
            "\u{FEFF}" + header + "foi,2025-01-06,\"O'Neil, J\",\"say \"\"hi\"\"\"\r\nfoi,2025-01-07,\"A\r\nB\",x\r\n\r\nfoi,2025-01-08,C,")
        #expect(good.problems.isEmpty, "\(good.problems)")
        #expect(good.rows.map(\.line) == [2, 3, 6])
        #expect(good.rows.map { $0.values["requester"] ?? "" } == ["O'Neil, J", "A\nB", "C"])
        #expect(good.rows.first?.values["subject"] == "say \"hi\"")
        let open = read(header + "foi,2025-01-06,A,x\nfoi,2025-01-07,\"B\nfoi,2025-01-08,C,y\n")
        #expect(
            open.problems.map(\.description) == [
                "line 3: a quoted field opens here and is never closed (an unterminated \"); nothing after it could be read"
            ])
        #expect(read(header + "foi,2025-01-06,\"A\"x,y\n").problems.first?.line == 2)
        let capped = read(header + "foi,2025-01-06,A,x\nfoi,2025-01-07,B,y\nfoi,2025-01-08,C,z\n", .init(maxRows: 2, maxFieldBytes: 12))
        #expect(capped.rows.count == 2 && capped.problems.first?.line == 4)
        let long = read(header + "foi,2025-01-06,ABCDEFGHIJKLM,x\n", .init(maxRows: 10, maxFieldBytes: 12))
        #expect(
            long.problems.map(\.description) == ["line 2, column requester: longer than 12 bytes, the most a field may hold (--max-field-length)"])
        #expect(long.rows.first?.values["requester"] == nil)
    }
}
