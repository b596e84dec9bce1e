import Foundation
import TestSupport
import Testing

/// Issue 24 (the second red team's findings) as the CLI and the binary meet them. Each test
/// failed before its fix.
@Suite(.requiresDatabase) struct Issue24CLITests {
    /// A migrated database with an admin, officers and managers of two teams, an auditor and a
    /// disabled officer.
    func teams(_ label: String) async throws -> (url: String, db: [String: String]) {
        let database = try await CLIDatabase.create(
            label,
            users: [
                TestUser("admin", "admin"), TestUser("nofficer", "officer", "--team", "north"), TestUser("nmanager", "manager", "--team", "north"),
                TestUser("sofficer", "officer", "--team", "south"), TestUser("audit", "auditor"), TestUser("gone", "officer", "--team", "north"),
                TestUser("floater", "officer"),
            ])
        let (url, db) = (database.url, database.plain)
        #expect(try await Foiflow.run(["user", "disable", "gone"], environment: db).status == 0)
        return (url, db)
    }

    func env(_ db: [String: String], as login: String) -> [String: String] {
        db.merging(["FOIFLOW_USER": login, "FOIFLOW_TODAY": "2026-12-01", "FOIFLOW_TODAY_OVERRIDE": "yes"]) { $1 }
    }

    // MARK: 3. Import

    func file(_ text: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("import-\(UUID().uuidString).csv")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    @Test func anUnterminatedQuoteIsAnErrorNamingItsLineAndNothingIsWritten() async throws {
        let (url, db) = try await teams("imp24quote")
        let manager = env(db, as: "nmanager")
        let bad = try file(
            "kind,received,requester,subject\nfoi,2025-01-06,A,one\nfoi,2025-01-07,\"B,two\nfoi,2025-01-08,C,three\nfoi,2025-01-09,D,four\n")
        defer { try? FileManager.default.removeItem(at: bad) }
        let run = try await Foiflow.run(["import", bad.path], environment: manager)
        #expect(run.status == 2 && run.stderr.contains("line 3: a quoted field opens here and is never closed"), "\(run.stderr)")
        #expect(try await TestDatabase.rows(["DATABASE_URL": url], "SELECT count(*)::text FROM requests") == ["0"])
        // Text after a closing quote is an error too, not glued onto the field.
        let stray = try file("kind,received,requester\nfoi,2025-01-06,\"A\"B\n")
        defer { try? FileManager.default.removeItem(at: stray) }
        let strayRun = try await Foiflow.run(["import", stray.path], environment: manager)
        #expect(strayRun.status == 2 && strayRun.stderr.contains("line 2: text after a closing quote"), "\(strayRun.stderr)")
    }

    @Test func importHasCapsOnRowsAndFields() async throws {
        let (url, db) = try await teams("imp24caps")
        let manager = env(db, as: "nmanager")
        let three = try file("kind,received,requester\nfoi,2025-01-06,A\nfoi,2025-01-07,B\nfoi,2025-01-08,C\n")
        defer { try? FileManager.default.removeItem(at: three) }
        let rows = try await Foiflow.run(["import", three.path, "--max-rows", "2"], environment: manager)
        #expect(rows.status == 2 && rows.stderr.contains("line 4: more than 2 rows"), "\(rows.stderr)")
        let long = try file("kind,received,requester\nfoi,2025-01-06,\(String(repeating: "x", count: 2_000_000))\n")
        defer { try? FileManager.default.removeItem(at: long) }
        let field = try await Foiflow.run(["import", long.path], environment: manager)
        #expect(field.status == 2 && field.stderr.contains("line 2, column requester: longer than 16384 bytes"), "\(field.stderr)")
        #expect(try await Foiflow.run(["import", long.path, "--max-field-length", "0"], environment: manager).status == 2)
        let help = try await Foiflow.run(["import", "--help"], environment: manager)
        #expect(help.stdout.contains("--max-rows") && help.stdout.contains("100000") && help.stdout.contains("16384"))
        #expect(try await TestDatabase.rows(["DATABASE_URL": url], "SELECT count(*)::text FROM requests") == ["0"])
        // Within the caps it imports, into the importer's team.
        #expect(try await Foiflow.run(["import", three.path], environment: manager).status == 0)
        #expect(try await TestDatabase.rows(["DATABASE_URL": url], "SELECT DISTINCT team FROM requests") == ["north"])
    }

    // MARK: 4. Approvals bind

    @Test func anApprovalBindsTheOutcomeAndGroundsApproved() async throws {
        let (_, db) = try await teams("approval24")
        let officer = env(db, as: "nofficer"), manager = env(db, as: "nmanager")
        #expect(try await Foiflow.run(["policy", "require-approval", "refused,partial,ncnd", "--as", "admin"], environment: db).status == 0)
        #expect(try await Foiflow.run(["request", "create", "foi", "received=2026-11-02", "requester=R"], environment: officer).status == 0)
        let ref = "FOI-2026-000001"
        #expect(try await Foiflow.run(["request", "act", ref, "assign", "to=nofficer"], environment: officer).status == 0)
        let submit = try await Foiflow.run(["request", "act", ref, "submit", "outcome=partial", "exemptions=s40(2)"], environment: officer)
        #expect(submit.status == 0, "\(submit.stderr)")
        #expect(try await Foiflow.run(["request", "act", ref, "approve"], environment: manager).status == 0)
        let swapped = try await Foiflow.run(["request", "act", ref, "respond", "outcome=ncnd", "exemptions=s23"], environment: officer)
        #expect(swapped.status == 7 && swapped.stderr.contains("approved partial s40(2)"), "\(swapped.stderr)")
        let otherGrounds = try await Foiflow.run(["request", "act", ref, "respond", "outcome=partial", "exemptions=s31"], environment: officer)
        #expect(otherGrounds.status == 7, "\(otherGrounds.stderr)")
        let asApproved = try await Foiflow.run(["request", "act", ref, "respond", "outcome=partial", "exemptions=S.40(2)"], environment: officer)
        #expect(asApproved.status == 0, "\(asApproved.stderr)")
        // The submit event records what was put up.
        let history = try await Foiflow.run(["request", "history", ref, "--format", "csv"], environment: officer)
        #expect(history.stdout.contains("outcome=partial") && history.stdout.contains("s40(2)"), "\(history.stdout)")
        // A bare submit approves nothing in particular.
        #expect(try await Foiflow.run(["request", "create", "foi", "received=2026-11-02", "requester=R"], environment: officer).status == 0)
        #expect(try await Foiflow.run(["request", "act", "FOI-2026-000002", "assign", "to=nofficer"], environment: officer).status == 0)
        #expect(try await Foiflow.run(["request", "act", "FOI-2026-000002", "submit"], environment: officer).status == 0)
        #expect(try await Foiflow.run(["request", "act", "FOI-2026-000002", "approve"], environment: manager).status == 0)
        let unnamed = try await Foiflow.run(
            ["request", "act", "FOI-2026-000002", "respond", "outcome=refused", "exemptions=s31"], environment: officer)
        #expect(unnamed.status == 7 && unnamed.stderr.contains("named no outcome"), "\(unnamed.stderr)")
        // Submitting a bad proposal is refused as a response would be.
        let badProposal = try await Foiflow.run(
            ["request", "act", "FOI-2026-000002", "submit", "outcome=refused"], environment: officer)
        #expect(badProposal.status == 2 && badProposal.stderr.contains("exemptions="), "\(badProposal.stderr)")
    }

    // MARK: 5. The date override

    @Test func theDateMovesOnlyWhenBothVariablesSaySo() async throws {
        let (url, db) = try await teams("today24")
        let alone = db.merging(["FOIFLOW_USER": "nofficer", "FOIFLOW_TODAY": "2031-06-02"]) { $1 }
        let refused = try await Foiflow.run(["request", "create", "foi", "received=2031-06-02", "requester=R"], environment: alone)
        #expect(refused.status == 2 && refused.stderr.contains("FOIFLOW_TODAY_OVERRIDE=yes"), "\(refused.stderr)")
        #expect(try await Foiflow.run(["escalate"], environment: alone).status == 2)
        #expect(try await Foiflow.run(["escalate", "--dry-run"], environment: alone).status == 2)
        #expect(try await TestDatabase.rows(["DATABASE_URL": url], "SELECT count(*)::text FROM requests") == ["0"])
        let both = alone.merging(["FOIFLOW_TODAY_OVERRIDE": "yes"]) { $1 }
        let moved = try await Foiflow.run(["request", "create", "foi", "received=2031-06-02", "requester=R"], environment: both)
        #expect(moved.status == 0 && moved.stderr.contains("today is taken to be 2031-06-02"), "\(moved.stderr)")
        let badDate = both.merging(["FOIFLOW_TODAY": "2031-02-30"]) { $1 }
        #expect(try await Foiflow.run(["request", "list"], environment: badDate).status == 2)
    }

    // MARK: 6 and 7. Who is assigned, and which team a new request joins

    @Test func assignNamesOnlyAnActiveOfficerOrManagerWhoMaySeeTheRequest() async throws {
        let (url, db) = try await teams("assign24")
        let manager = env(db, as: "nmanager"), admin = env(db, as: "admin")
        #expect(try await Foiflow.run(["request", "create", "foi", "received=2026-11-02", "requester=R"], environment: manager).status == 0)
        let ref = "FOI-2026-000001"
        for (login, why) in [
            ("sofficer", "cannot see this request"), ("audit", "only an officer or a manager"), ("gone", "disabled"),
            ("admin", "only an officer or a manager"), ("nobody", "no user"),
        ] {
            for actor in [manager, admin] {
                let run = try await Foiflow.run(["request", "act", ref, "assign", "to=\(login)"], environment: actor)
                #expect(run.status == 2 && run.stderr.contains(why), "\(login): \(run.stderr)")
            }
        }
        #expect(try await TestDatabase.rows(["DATABASE_URL": url], "SELECT version::text FROM requests") == ["1"])
        #expect(try await Foiflow.run(["request", "act", ref, "assign", "to=nofficer"], environment: manager).status == 0)
        // Someone of no team may lead any request; a request of no team may go to anyone.
        #expect(try await Foiflow.run(["request", "act", ref, "assign", "to=floater"], environment: manager).status == 0)
        #expect(try await Foiflow.run(["request", "create", "foi", "received=2026-11-02", "requester=R"], environment: admin).status == 0)
        #expect(try await Foiflow.run(["request", "act", "FOI-2026-000002", "assign", "to=sofficer"], environment: admin).status == 0)
        // No warning e-mail goes to someone who was refused.
        #expect(try await TestDatabase.rows(["DATABASE_URL": url], "SELECT count(*)::text FROM notifications") == ["0"])
    }

    @Test func officersAndManagersCreateAndImportIntoTheirOwnTeam() async throws {
        let (url, db) = try await teams("team24")
        let officer = env(db, as: "nofficer"), admin = env(db, as: "admin")
        let other = try await Foiflow.run(["request", "create", "foi", "received=2026-11-02", "requester=R", "team=south"], environment: officer)
        #expect(other.status == 6 && other.stderr.contains("team=south"), "\(other.stderr)")
        #expect(try await Foiflow.run(["request", "create", "foi", "received=2026-11-02", "requester=R"], environment: officer).status == 0)
        #expect(
            try await Foiflow.run(["request", "create", "foi", "received=2026-11-02", "requester=R", "team=north"], environment: officer).status == 0)
        #expect(
            try await Foiflow.run(["request", "create", "foi", "received=2026-11-02", "requester=R", "team=south"], environment: admin).status == 0)
        #expect(
            try await TestDatabase.rows(["DATABASE_URL": url], "SELECT coalesce(team, '-') FROM requests ORDER BY ref") == [
                "north", "north", "south",
            ])
        let southRow = try file("kind,received,requester,team\nfoi,2025-01-06,A,north\nfoi,2025-01-07,B,south\n")
        defer { try? FileManager.default.removeItem(at: southRow) }
        let imported = try await Foiflow.run(["import", southRow.path], environment: env(db, as: "nmanager"))
        #expect(imported.status == 2 && imported.stderr.contains("line 3") && imported.stderr.contains("team=south"), "\(imported.stderr)")
        #expect(try await Foiflow.run(["import", southRow.path], environment: admin).status == 0)
    }

    // MARK: 10. User fields and bidirectional controls

    @Test func userFieldsAreCheckedAsProtocolFieldsAre() async throws {
        let (url, db) = try await teams("user24")
        for (option, value) in [
            ("--email", "h@example.org\r\nBcc: evil@example.com"), ("--email", "h@example.org, evil@example.com"), ("--name", "Ann\nBcc: x"),
            ("--name", "Ann\u{202E}gnp.exe"), ("--team", "north\u{1B}[31m"), ("--phone", "0123\r\n456"), ("--name", "   "),
        ] {
            let run = try await Foiflow.run(["user", "add", "newbie", "--role", "officer", option, value], environment: db)
            #expect(run.status == 2, "\(option) \(value.debugDescription): \(run.stderr)")
        }
        #expect(try await TestDatabase.rows(["DATABASE_URL": url], "SELECT count(*)::text FROM users WHERE login = 'newbie'") == ["0"])
        let good = try await Foiflow.run(
            ["user", "add", "newbie", "--role", "officer", "--name", "Siân O'Neil", "--email", "s.oneil@example.org"], environment: db)
        #expect(good.status == 0, "\(good.stderr)")
        // A requester's name with a right-to-left override is refused at the door...
        let bidi = try await Foiflow.run(
            ["request", "create", "foi", "received=2026-11-02", "requester=Smith\u{202E}gnp.exe"], environment: env(db, as: "admin"))
        #expect(bidi.status == 2 && bidi.stderr.contains("U+202E"), "\(bidi.stderr)")
        // ...and one stored before is shown escaped, never raw.
        #expect(
            try await Foiflow.run(["request", "create", "foi", "received=2026-11-02", "requester=Smith"], environment: env(db, as: "admin")).status
                == 0)
        try await TestDatabase.execute(["DATABASE_URL": url], "UPDATE requests SET requester = 'Smith' || chr(8238) || 'gnp.exe'")
        let shown = try await Foiflow.run(["request", "show", "FOI-2026-000001", "--format", "table"], environment: db)
        #expect(!shown.stdout.unicodeScalars.contains { $0.value == 0x202E } && shown.stdout.contains(#"\u{202E}"#), "\(shown.stdout)")
    }

    // MARK: 11. CLI reads honour --as

    @Test func cliReadsHonourAs() async throws {
        let (_, db) = try await teams("reads24")
        #expect(
            try await Foiflow.run(["request", "create", "foi", "received=2026-11-02", "requester=R"], environment: env(db, as: "nofficer")).status
                == 0)
        #expect(
            try await Foiflow.run(["request", "create", "foi", "received=2026-11-02", "requester=R"], environment: env(db, as: "sofficer")).status
                == 0)
        #expect(
            try await Foiflow.run(["request", "create", "foi", "received=2026-11-02", "requester=R"], environment: env(db, as: "floater")).status == 0
        )
        let north = "FOI-2026-000001"
        for command in [
            ["request", "show", north], ["request", "history", north], ["explain", north], ["letters", north],
        ] {
            let run = try await Foiflow.run(command + ["--as", "sofficer"], environment: db)
            #expect(run.status == 3, "\(command): \(run.status) \(run.stderr)")
            #expect(try await Foiflow.run(command + ["--as", "nofficer"], environment: db).status == 0, "\(command)")
            #expect(try await Foiflow.run(command, environment: db).status == 0, "\(command): the operator sees every team")
        }
        let listed = try await Foiflow.run(["request", "list", "--as", "sofficer", "--format", "csv"], environment: db)
        #expect(!listed.stdout.contains(north) && listed.stdout.contains("FOI-2026-000002") && listed.stdout.contains("FOI-2026-000003"))
        let risk = try await Foiflow.run(["risk", "--within", "60", "--as", "sofficer", "--format", "csv", "--as-of", "2026-12-01"], environment: db)
        #expect(risk.status == 0 && !risk.stdout.contains(north) && risk.stdout.contains("FOI-2026-000002"), "\(risk.stdout) \(risk.stderr)")
        let everyone = try await Foiflow.run(["request", "list", "--format", "csv"], environment: db)
        #expect(everyone.stdout.contains(north) && everyone.stdout.contains("FOI-2026-000002"))
        #expect(try await Foiflow.run(["request", "list", "--as", "nobody"], environment: db).status == 3)
        #expect(try await Foiflow.run(["request", "list", "--as", "gone"], environment: db).status == 6)
    }
}
