import Foundation
import TestSupport
import Testing

/// `foiflow request ...`, `risk`, `user disable|token`: the real binary against a real database.
@Suite(.requiresDatabase) struct RequestCLITests {
    /// A migrated database with an officer, a manager and an auditor; FOIFLOW_TODAY pins "today".
    func setUp(_ label: String) async throws -> [String: String] {
        let users = [("asmith", "officer"), ("bkhan", "manager"), ("audit", "auditor"), ("root", "admin")].map { TestUser($0, $1, "--team", "north") }
        return try await CLIDatabase.create(label, users: users).env(as: "asmith")
    }

    func json(_ text: String) throws -> Any { try JSONSerialization.jsonObject(with: Data(text.utf8)) }

    @Test func createActShowHistory() async throws {
        let env = try await setUp("clireq")
        let created = try await Foiflow.run(
            ["request", "create", "foi", "received=2026-11-20", "requester=Jane O'Neil", "subject=Stop and search"], environment: env)
        #expect(created.status == 0 && created.stdout == "ref=FOI-2026-000001 state=received due=2026-12-21 version=1\n", "\(created.stderr)")
        let assigned = try await Foiflow.run(
            ["request", "act", "FOI-2026-000001", "assign", "to=asmith", "--expect", "1", "--format", "json"], environment: env)
        let object = try #require(try json(assigned.stdout) as? [String: Any])
        #expect(object["state"] as? String == "in_progress" && object["version"] as? Int == 2)
        let show = try await Foiflow.run(["request", "show", "FOI-2026-000001"], environment: env)
        let shown = show.stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        #expect(shown.contains(["assignee", "asmith"]) && shown.contains(["days_left", "14"]) && shown.contains(["update_due", "2026-12-20"]))
        let showJSON = try #require(
            try json(try await Foiflow.run(["request", "show", "FOI-2026-000001", "--format", "json"], environment: env).stdout) as? [String: Any])
        #expect(showJSON["requester"] as? String == "Jane O'Neil" && showJSON["days_left"] as? Int == 14)
        let history = try await Foiflow.run(["request", "history", "FOI-2026-000001", "--format", "csv"], environment: env)
        let lines = history.stdout.split(separator: "\n")
        #expect(lines.first == "seq,at,actor,action,from,to,due,fields")
        #expect(lines.count == 3 && lines[2].contains(",asmith,assign,received,in_progress,2026-12-21,to=asmith"))
    }

    @Test func errorsHaveTheirExitCodesAndChangeNothing() async throws {
        let env = try await setUp("clireqerr")
        _ = try await Foiflow.run(["request", "create", "foi", "received=2026-11-20", "requester=J"], environment: env)
        let cases: [([String], [String: String], Int32, String)] = [
            (["request", "act", "FOI-2026-000001", "extend", "reason=x"], [:], 6, "may not take the action 'extend'"),
            (["request", "act", "FOI-2026-000001", "close"], [:], 7, "cannot close"),
            (["request", "act", "FOI-2026-000001", "submit", "--expect", "5"], [:], 4, "expected version 5"),
            (["request", "act", "FOI-2026-999999", "submit"], [:], 3, "no request"),
            (["request", "act", "FOI-2026-000001", "frob"], [:], 2, "unknown action"),
            (["request", "act", "FOI-2026-000001", "respond"], [:], 2, "needs outcome"),
            (["request", "act", "FOI-2026-000001", "clarify", "on=2026-12-02"], [:], 2, "in the future"),
            (["request", "create", "foi", "received=2026-11-20"], [:], 2, "needs requester"),
            (["request", "create", "foi", "received=2026-11-20", "requester"], [:], 2, "not key=value"),
            (["request", "create", "foi", "received=2026-11-20", "requester=J"], ["FOIFLOW_USER": "audit"], 6, "may not create"),
            (["request", "create", "foi", "received=2026-11-20", "requester=J"], ["FOIFLOW_USER": "ghost"], 3, "no user 'ghost'"),
            (["request", "create", "foi", "received=2026-11-20", "requester=J"], ["FOIFLOW_USER": ""], 2, "--as"),
            (["request", "show", "FOI-2026-999999"], [:], 3, "no request"),
            (["request", "list", "--state", "nowhere"], [:], 2, "unknown state"),
            (["risk", "--as-of", "2026-02-30"], [:], 2, "invalid"),
            (["user", "disable", "bkhan"], [:], 6, "may not manage users"),
            (["request", "show", "FOI-2026-000001"], ["DATABASE_URL": "postgresql://postgres@127.0.0.1:1/none"], 5, "database unavailable"),
        ]
        for (arguments, extra, status, message) in cases {
            let outcome = try await Foiflow.run(arguments, environment: env.merging(extra) { $1 })
            #expect(outcome.status == status, "\(arguments): \(outcome.status) \(outcome.stderr)")
            #expect(outcome.stderr.contains(message), "\(arguments): \(outcome.stderr)")
            #expect(outcome.stdout.isEmpty, "\(arguments) printed \(outcome.stdout)")
        }
        let history = try await Foiflow.run(["request", "history", "FOI-2026-000001", "--format", "json"], environment: env)
        #expect((try json(history.stdout) as? [Any])?.count == 1)
    }

    @Test func listAndRiskFormatsCarryTheSameRows() async throws {
        let env = try await setUp("clirisk")
        for received in ["2026-10-01", "2026-11-03", "2026-11-30", "2026-11-20"] {
            #expect(
                try await Foiflow.run(["request", "create", "foi", "received=\(received)", "requester=R", "team=north"], environment: env).status == 0
            )
        }
        let table = try await Foiflow.run(["risk", "--within", "5"], environment: env)
        let csv = try await Foiflow.run(["risk", "--within", "5", "--format", "csv"], environment: env)
        let jsonOut = try await Foiflow.run(["risk", "--within", "5", "--format", "json"], environment: env)
        #expect(table.status == 0 && csv.status == 0 && jsonOut.status == 0)
        let tableRefs = table.stdout.split(separator: "\n").dropFirst().map { String($0.split(separator: " ")[0]) }
        let csvRows = csv.stdout.split(separator: "\n").dropFirst().map {
            $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        }
        let objects = try #require(try json(jsonOut.stdout) as? [[String: String]])
        #expect(tableRefs == ["FOI-2026-000001", "FOI-2026-000002"])
        #expect(csvRows.map { $0[0] } == tableRefs && objects.map { $0["ref"] } == tableRefs.map { Optional($0) })
        #expect(table.stdout.split(separator: "\n")[1].hasSuffix("OVERDUE"))
        #expect(objects.first?["days_left"] == "-22" && objects.first?["due"] == "2026-10-29")
        for key in ["ref", "kind", "state", "assignee", "received", "due", "days_left"] { #expect(objects.first?[key] != nil, "json lacks \(key)") }
        // --as-of agrees with the store's days_left for that date (SHOW with FOIFLOW_TODAY).
        let later = try await Foiflow.run(["risk", "--as-of", "2026-12-10", "--within", "10", "--format", "json"], environment: env)
        let laterObjects = try #require(try json(later.stdout) as? [[String: String]])
        for object in laterObjects {
            let ref = try #require(object["ref"])
            let shown = try await Foiflow.run(
                ["request", "show", ref, "--format", "json"],
                environment: env.merging(["FOIFLOW_TODAY": "2026-12-10", "FOIFLOW_TODAY_OVERRIDE": "yes"]) { $1 })
            let days = try #require(try json(shown.stdout) as? [String: Any])["days_left"] as? Int
            #expect(object["days_left"] == days.map(String.init), "\(ref)")
        }
        #expect(laterObjects.count == 3)
        // LIST pages, with the next page named on stderr.
        let page = try await Foiflow.run(["request", "list", "--limit", "3", "--format", "csv"], environment: env)
        #expect(page.stdout.split(separator: "\n").count == 4 && page.stderrBesidesDateNotice == "more: --after FOI-2026-000003\n")
        let rest = try await Foiflow.run(["request", "list", "--after", "FOI-2026-000003", "--format", "json"], environment: env)
        #expect((try json(rest.stdout) as? [[String: String]])?.map { $0["ref"] } == ["FOI-2026-000004"])
    }

    @Test func userTokenAndDisable() async throws {
        let env = try await setUp("cliusers")
        var admin = env
        admin["FOIFLOW_USER"] = "root"
        let token = try await Foiflow.run(["user", "token", "asmith"], environment: admin)
        #expect(token.status == 0 && token.stdout.count == 65)
        let disabled = try await Foiflow.run(["user", "disable", "asmith"], environment: admin)
        #expect(disabled.status == 0)
        let refused = try await Foiflow.run(["request", "create", "foi", "received=2026-11-20", "requester=J"], environment: env)
        #expect(refused.status == 6 && refused.stderr.contains("disabled"))
        #expect(try await Foiflow.run(["user", "token", "asmith"], environment: admin).status == 3)
        #expect(try await Foiflow.run(["user", "disable", "ghost"], environment: admin).status == 3)
        let list = try await Foiflow.run(["user", "list", "--format", "csv"], environment: admin)
        #expect(list.stdout.contains("asmith,officer,north,,,,disabled"))
    }

    @Test func explainPrintsEveryDayInEachFormat() async throws {
        let env = try await setUp("cliexplain")
        #expect(try await Foiflow.run(["request", "create", "foi", "received=2026-11-20", "requester=R"], environment: env).status == 0)
        let table = try await Foiflow.run(["explain", "FOI-2026-000001"], environment: env)
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.contains("2026-11-30") && table.stdout.contains("St Andrew's Day"))
        #expect(table.stdout.contains("FOI-2026-000001: due 2026-12-21 on the uk calendar"))
        let csv = try await Foiflow.run(["explain", "FOI-2026-000001", "--format", "csv"], environment: env)
        let lines = csv.stdout.split(separator: "\n")
        #expect(lines.first == "date,count,skip,note" && lines.count == 33 && lines.last == "2026-12-21,20,,due")
        let json = try #require(
            try self.json(try await Foiflow.run(["explain", "FOI-2026-000001", "--format", "json"], environment: env).stdout) as? [String: Any])
        #expect(json["due"] as? String == "2026-12-21" && (json["days"] as? [Any])?.count == 32)
        let missing = try await Foiflow.run(["explain", "FOI-2026-000099"], environment: env)
        #expect(missing.status == 3 && missing.stderr.contains("no request FOI-2026-000099"))
    }

    @Test func lettersAndLetterFromTheShell() async throws {
        var env = try await setUp("cliletters")
        env["FOIFLOW_UNIT_NAME"] = "Disclosure Unit"
        env["FOIFLOW_UNIT_EMAIL"] = "foi@example.org"
        let created = try await Foiflow.run(
            ["request", "create", "foi", "received=2026-11-20", "requester=Jane", "email=jane@example.org"], environment: env)
        #expect(created.status == 0, "\(created.stderr)")
        let list = try await Foiflow.run(["letters", "FOI-2026-000001", "--format", "csv"], environment: env)
        let rows = list.stdout.split(separator: "\n")
        #expect(rows.first == "id,template,channel,status,created,sent,subject,note" && rows.count == 2)
        #expect(rows.last?.contains(",acknowledgement,email,queued,") == true, "\(list.stdout)")
        let letter = try await Foiflow.run(["letter", "1"], environment: env)
        #expect(letter.status == 0 && letter.stdout.contains("to: jane@example.org"))
        #expect(letter.stdout.contains("reference FOI-2026-000001") && letter.stdout.contains("Disclosure Unit"))
        #expect(try await Foiflow.run(["letter", "99"], environment: env).status == 3)
    }

    /// The seeds' two commitments, as the README's walk-through configures them.
    @Test func publishedCommitmentsBesideTheStatute() async throws {
        var env = try await setUp("clicommit")
        env["FOIFLOW_USER"] = "root"
        let sar = try await Foiflow.run(
            ["commitment", "set", "sar", "--calendar-days", "40", "--text", "personal information within 40 calendar days"], environment: env)
        #expect(sar.status == 0 && sar.stderr.contains("warning") && sar.stderr.contains("later than the statutory due date"), "\(sar.stderr)")
        let complaint = try await Foiflow.run(
            ["commitment", "set", "complaint", "--working-days", "10", "--text", "within 10 working days"], environment: env)
        #expect(complaint.status == 0 && complaint.stderrBesidesDateNotice.isEmpty, "\(complaint.stderr)")
        let list = try await Foiflow.run(["commitment", "list", "--format", "csv"], environment: env)
        #expect(
            list.stdout
                == "kind,unit,amount,text\ncomplaint,working-days,10,within 10 working days\nsar,calendar-days,40,personal information within 40 calendar days\n"
        )
        #expect(
            try await Foiflow.run(["commitment", "set", "sar", "--months", "1", "--calendar-days", "3", "--text", "x"], environment: env).status == 2)
        #expect(
            try await Foiflow.run(
                ["commitment", "set", "sar", "--months", "1", "--text", "x"], environment: env.merging(["FOIFLOW_USER": "asmith"]) { $1 }
            ).status == 6)
        env["FOIFLOW_USER"] = "asmith"
        #expect(try await Foiflow.run(["request", "create", "sar", "received=2026-11-20", "requester=R"], environment: env).status == 0)
        let shown = try #require(
            try json(try await Foiflow.run(["request", "show", "SAR-2026-000001", "--format", "json"], environment: env).stdout) as? [String: Any])
        #expect(shown["due"] as? String == "2026-12-21" && shown["commitment_due"] as? String == "2026-12-30")
        env["FOIFLOW_USER"] = "root"
        #expect(try await Foiflow.run(["commitment", "clear", "sar"], environment: env).status == 0)
        #expect(try await Foiflow.run(["commitment", "clear", "sar"], environment: env).status == 3)
        let after = try #require(
            try json(try await Foiflow.run(["request", "show", "SAR-2026-000001", "--format", "json"], environment: env).stdout) as? [String: Any])
        #expect(after["commitment_due"] == nil)
        // The nightly job answers to both names.
        #expect(try await Foiflow.run(["nightly", "--dry-run"], environment: env).status == 0)
    }
}
