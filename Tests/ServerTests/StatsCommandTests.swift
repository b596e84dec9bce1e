import Foundation
import TestSupport
import Testing

/// `STATS` over the protocol: CASEWORK-RULES 1.4's worked quarter, entered with past dates.
@Suite(.requiresDatabase) struct StatsCommandTests {
    /// `name=value` of every `* stat` line.
    func stats(_ client: LineClient, _ line: String) async throws -> [String: String] {
        try client.send(line + "\n")
        let reply = try await client.readReply()
        try #require(reply.status.hasPrefix("OK count=\(reply.records.count)"), "\(reply.status)")
        var out: [String: String] = [:]
        for record in reply.records {
            let parts = record.split(separator: " ").map(String.init)
            if parts[1] == "stat", let name = parts.first(where: { $0.hasPrefix("name=") }),
                let value = parts.first(where: { $0.hasPrefix("value=") })
            {
                out[String(name.dropFirst(5))] = String(value.dropFirst(6))
            }
            if parts[1] == "exemption", let section = parts.first(where: { $0.hasPrefix("section=") }),
                let value = parts.first(where: { $0.hasPrefix("value=") })
            {
                out["exemption " + section.dropFirst(8)] = String(value.dropFirst(6))
            }
        }
        return out
    }

    /// The Nth working day after 5 Jan 2026 (a Monday), on the uk calendar.
    func day(_ client: LineClient, _ n: Int, from: String = "2026-01-05") async throws -> String {
        let reply = try await client.call("WORKDAY ADD \(from) \(n)")
        return String(reply.dropFirst("OK date=".count))
    }

    /// Enters the twelve cases; returns the refs of case 1 (answered on day 15) and case 10 (open).
    func enterTheQuarter(_ client: LineClient) async throws -> (first: String, tenth: String) {
        func create(_ kind: String = "foi", _ received: String = "2026-01-05") async throws -> String {
            let reply = try await client.call("CREATE \(kind) received=\(received) requester=R")
            try #require(reply.hasPrefix("OK ref="), "\(reply)")
            return String(reply.split(separator: " ")[1].dropFirst(4))
        }
        func act(_ ref: String, _ rest: String) async throws {
            let reply = try await client.call("ACT \(ref) \(rest)")
            try #require(reply.hasPrefix("OK "), "\(ref) \(rest): \(reply)")
        }
        // 1: answered on day 15, granted.
        let first = try await create()
        try await act(first, "respond outcome=granted on=\(try await day(client, 15))")
        // 2: s.40(2) redactions on day 20.
        try await act(try await create(), "respond outcome=partial exemptions=s40(2) on=\(try await day(client, 20))")
        // 3: a public-interest extension notified on day 18, answered by its estimate (s.30(1), s.31(1)(a)).
        let third = try await create()
        try await act(third, "extend reason=\"public interest test\" exemptions=\"s30(1), s31(1)(a)\" days=20 on=\(try await day(client, 18))")
        try await act(third, "respond outcome=refused exemptions=\"s30(1), s31(1)(a)\" on=\(try await day(client, 35))")
        // 4: its extension would have been notified on day 22, which foiflow refuses: answered late, day 30.
        let fourth = try await create()
        let refused = try await client.call("ACT \(fourth) extend reason=pit exemptions=s31 days=20 on=\(try await day(client, 22))")
        #expect(refused.hasPrefix("ERR INVALID_TRANSITION "), "\(refused)")
        try await act(fourth, "respond outcome=granted on=\(try await day(client, 30))")
        // 5: not held, answered on day 25.
        try await act(try await create(), "respond outcome=not-held on=\(try await day(client, 25))")
        // 6: s.12 on day 10 (over the limit: 20 hours' search, £500 against £450).
        let sixth = try await create()
        try await act(sixth, "estimate activity=locate hours=20")
        try await act(sixth, "respond outcome=refused exemptions=s12 on=\(try await day(client, 10))")
        // 7: s.21 only, day 5.
        try await act(try await create(), "respond outcome=refused exemptions=s21 on=\(try await day(client, 5))")
        // 8: clarification asked on day 3, never answered.
        try await act(try await create(), "clarify on=\(try await day(client, 3))")
        // 9: received 20 Mar, open, not yet due on 31 Mar.
        _ = try await create("foi", "2026-03-20")
        // 10: received 5 Jan, open and overdue.
        let tenth = try await create()
        // 11: EIR, reg 7 extension on day 15, answered on day 35.
        let eleventh = try await create("eir")
        try await act(eleventh, "extend reason=\"complex and voluminous\" on=\(try await day(client, 15))")
        try await act(eleventh, "respond outcome=granted on=\(try await day(client, 35))")
        // 12: neither confirm nor deny, s.23(5) with s.24(2), day 19.
        try await act(try await create(), "respond outcome=ncnd exemptions=\"s23(5), s24(2)\" on=\(try await day(client, 19))")
        return (first, tenth)
    }

    @Test func theWorkedQuarterGivesItsFigures() async throws {
        let harness = try await ServerHarness(today: "2026-11-23")
        let client = try await harness.authenticatedClient(login: "bkhan", role: .manager)
        let (first, tenth) = try await enterTheQuarter(client)
        let q1 = try await stats(client, "STATS from=2026-01-01 to=2026-03-31 as_of=2026-03-31")
        let expected = [
            "received": "12", "open": "2", "open_overdue": "1", "processed": "10", "within_deadline": "6", "within_extension": "2",
            "late": "2", "granted": "3", "partial": "1", "refused": "3", "not_held": "1", "ncnd": "1", "advice_and_assistance": "1",
            "withdrawn": "0", "lapsed": "0", "transferred": "0", "in_time_percent": "80.0", "due_cohort_percent": "72.7", "s21_only": "1",
            "exemption s40(2)": "1", "exemption s30": "1", "exemption s31": "1", "exemption s12": "1", "exemption s21": "1",
            "exemption s23": "1", "exemption s24": "1",
        ]
        #expect(q1 == expected)
        // The same query for the same inputs gives the same figures.
        #expect(try await stats(client, "STATS from=2026-01-01 to=2026-03-31 as_of=2026-03-31") == q1)
        // EIR alone: case 11.
        let eir = try await stats(client, "STATS from=2026-01-01 to=2026-03-31 as_of=2026-03-31 kind=eir")
        #expect(eir["received"] == "1" && eir["within_extension"] == "1" && eir["in_time_percent"] == "100.0")

        // As of 20 Jan: cases 6 and 7 answered, 8 waiting on its clarification; the rest open and not yet due.
        let early = try await stats(client, "STATS from=2026-01-01 to=2026-03-31 as_of=2026-01-20")
        #expect(early["received"] == "11" && early["processed"] == "3" && early["open"] == "8" && early["open_overdue"] == "0")
        #expect(early["in_time_percent"] == "100.0" && early["exemption s12"] == "1" && early["exemption s40(2)"] == nil)

        // A reopened request changes the figures only from the day it reopened (today, 23 Nov).
        #expect(try await client.call("ACT \(first) reopen").hasPrefix("OK "))
        #expect(try await stats(client, "STATS from=2026-01-01 to=2026-03-31 as_of=2026-03-31") == q1)
        let now = try await stats(client, "STATS from=2026-01-01 to=2026-03-31 as_of=2026-11-23")
        #expect(now["processed"] == "9" && now["open"] == "3" && now["open_overdue"] == "3", "\(now)")

        // By month of receipt.
        try client.send("STATS from=2026-01-01 to=2026-03-31 as_of=2026-03-31 by=month\n")
        let months = try await client.readReply()
        // Every month of the period, February's nothing too.
        #expect(months.status == "OK count=3")
        #expect(
            months.records == [
                "* month month=2026-01 received=11 processed=10 in_time=8 late=2 open_overdue=1 in_time_percent=80.0",
                "* month month=2026-02 received=0 processed=0 in_time=0 late=0 open_overdue=0",
                "* month month=2026-03 received=1 processed=0 in_time=0 late=0 open_overdue=0",
            ])
        // The backlog on 31 Mar: cases 8 (clock stopped), 9 (not yet due) and 10 (due 2 Feb: one to three months past due).
        try client.send("STATS from=2026-01-01 to=2026-03-31 as_of=2026-03-31 table=backlog\n")
        let backlog = try await client.readReply()
        #expect(
            backlog.records.first == "* backlog kind=foi open=3 up_to_1_month=0 months_1_to_3=1 months_3_to_6=0 months_6_to_12=0 over_12_months=0",
            "\(backlog.records)")
        _ = tenth
        // Bad input.
        for bad in [
            "STATS", "STATS from=2026-01-01", "STATS from=2026-03-31 to=2026-01-01", "STATS from=2026-02-30 to=2026-03-31",
            "STATS from=2026-01-01 to=2026-03-31 kind=parking", "STATS from=2026-01-01 to=2026-03-31 by=week",
            "STATS from=2026-01-01 to=2026-03-31 table=people", "STATS from=2026-01-01 to=2026-03-31 colour=red",
        ] {
            #expect(try await client.call(bad).hasPrefix("ERR BAD_ARGUMENT "), "\(bad)")
        }
        try await harness.stop()
    }

    @Test func reviewAndICOTables() async throws {
        let harness = try await ServerHarness(today: "2026-11-23")
        let client = try await harness.authenticatedClient(login: "bkhan", role: .manager)
        #expect(try await client.call("CREATE foi received=2026-01-05 requester=R").hasPrefix("OK ref=FOI-2026-000001 "))
        #expect(try await client.call("ACT FOI-2026-000001 respond outcome=refused exemptions=s31 on=2026-01-30").hasPrefix("OK "))
        #expect(try await client.call("CREATE review received=2026-02-09 requester=R parent=FOI-2026-000001").hasPrefix("OK ref=REV-2026-000001 "))
        // Answered on working day 25: within 40, not within 20.
        #expect(try await client.call("ACT REV-2026-000001 respond outcome=overturned reason=\"wrong exemption\" on=2026-03-16").hasPrefix("OK "))
        #expect(try await client.call("CREATE review received=2026-02-10 requester=R parent=FOI-2026-000001").hasPrefix("OK "))
        #expect(try await client.call("ACT REV-2026-000002 respond outcome=upheld on=2026-02-20").hasPrefix("OK "))
        #expect(try await client.call("CREATE ico received=2026-02-16 parent=FOI-2026-000001 ico_ref=IC-1 due=2026-03-16").hasPrefix("OK "))
        #expect(try await client.call("ACT ICO-2026-000001 decision on=2026-03-03 outcome=upheld steps=\"disclose\"").hasPrefix("OK "))
        #expect(try await client.call("ACT ICO-2026-000001 complied on=2026-04-01").hasPrefix("OK "))
        try client.send("STATS from=2026-01-01 to=2026-03-31 table=reviews\n")
        let reviews = try await client.readReply()
        #expect(
            reviews.records.contains("* review name=received value=2") && reviews.records.contains("* review name=within_20_working_days value=1"))
        #expect(
            reviews.records.contains("* review name=within_40_working_days value=2") && reviews.records.contains("* review name=overturned value=1"))
        try client.send("STATS from=2026-01-01 to=2026-03-31 table=ico\n")
        let ico = try await client.readReply()
        #expect(ico.records.contains("* ico name=decision_notices value=1") && ico.records.contains("* ico name=upheld value=1"))
        #expect(ico.records.contains("* ico name=steps_complied_in_time value=1"), "\(ico.records)")
        // As of the day before the notice: no decision yet.
        try client.send("STATS from=2026-01-01 to=2026-03-31 as_of=2026-03-02 table=ico\n")
        #expect(try await client.readReply().records.contains("* ico name=decision_notices value=0"))
        try await harness.stop()
    }
}

/// The published page, rendered by a real browser (headless Chromium).
@Suite(.requiresDatabase) struct StatsPageBrowserTests {
    @Test func thePageRendersInChromiumWithTheFiguresAndNoPersonalData() async throws {
        let harness = try await ServerHarness(today: "2026-11-23")
        let client = try await harness.authenticatedClient(login: "bkhan", role: .manager)
        _ = try await StatsCommandTests().enterTheQuarter(client)
        let personal = #"requester="Jane Identifiable" subject="Stop and search of my neighbour" email=jane.identifiable@example.org"#
        #expect(try await client.call("CREATE foi received=2026-03-25 \(personal)").hasPrefix("OK "))
        try await harness.stop()

        let page = try await Foiflow.run(
            ["stats", "--from", "2026-01-01", "--to", "2026-03-31", "--as-of", "2026-03-31", "--format", "html", "--title", "Disclosure Unit"],
            environment: ["DATABASE_URL": harness.databaseURL])
        #expect(page.status == 0, "\(page.stderr)")
        for personalData in ["Jane", "Identifiable", "neighbour", "example.org", "requester"] {
            #expect(!page.stdout.contains(personalData), "the page shows \(personalData)")
        }
        // The other formats carry the same figures.
        let period = ["stats", "--from", "2026-01-01", "--to", "2026-03-31", "--as-of", "2026-03-31"]
        let json = try await Foiflow.run(period + ["--format", "json"], environment: ["DATABASE_URL": harness.databaseURL])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let figures = try #require(object["stats"] as? [String: Any])
        #expect(figures["in_time_percent"] as? String == "80.0" && figures["due_cohort_percent"] as? String == "72.7")
        #expect(figures["processed"] as? Int == 10 && (object["exemptions"] as? [String: Int])?["s21"] == 1)
        let csv = try await Foiflow.run(period + ["--by", "month", "--format", "csv"], environment: ["DATABASE_URL": harness.databaseURL])
        #expect(csv.stdout.hasPrefix("month,received,processed,in_time,late,open_overdue,in_time_percent\n2026-01,11,10,8,2,1,80.0\n"))
        let bad = try await Foiflow.run(["stats", "--from", "2026-03-31", "--to", "2026-01-01"], environment: ["DATABASE_URL": harness.databaseURL])
        #expect(bad.status != 0 && bad.stderr.contains("after"))
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("stats-page-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let html = folder.appendingPathComponent("stats.html"), png = folder.appendingPathComponent("stats.png")
        try page.stdout.write(to: html, atomically: true, encoding: .utf8)
        let browser = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--user-data-dir=\(folder.path)/profile"]
        let shot = try await Program.run("chromium", browser + ["--window-size=1100,2400", "--screenshot=\(png.path)", html.absoluteString])
        #expect(shot.status == 0, "\(shot.stderr)")
        let image = try Data(contentsOf: png)
        // A PNG of the window's size, with something drawn in it.
        #expect(image.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        let width = image[16..<20].reduce(0) { $0 << 8 | Int($1) }, height = image[20..<24].reduce(0) { $0 << 8 | Int($1) }
        #expect(width == 1100 && height == 2400 && image.count > 20_000, "\(width)x\(height), \(image.count) bytes")
        // The text the browser laid out holds the figures.
        let dom = try await Program.run("chromium", browser + ["--dump-dom", html.absoluteString])
        #expect(dom.status == 0, "\(dom.stderr)")
        for figure in ["80.0%", "72.7%", "s40(2)", "ICO expectation 90%", "Disclosure Unit", "2026-01", "<svg"] {
            #expect(dom.stdout.contains(figure), "the rendered page lacks \(figure)")
        }
    }
}
