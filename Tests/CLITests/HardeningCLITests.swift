import Foundation
import Postgres
import TestSupport
import Testing

/// Issue 17 as the CLI meets it: no surprise dates, output that cannot be turned against its
/// reader, a held lock that says so, exit codes that say what happened.
@Suite(.requiresDatabase) struct HardeningCLITests {
    func migrated(_ label: String) async throws -> (url: String, env: [String: String]) {
        let database = try await CLIDatabase.create(label, today: "2026-11-23", users: [TestUser("admin", "admin")])
        return (database.url, database.env(as: "admin"))
    }

    @Test func anAsOfAfterTodayIsRefusedUnlessDry() async throws {
        let (_, env) = try await migrated("asoffuture")
        #expect(try await Foiflow.run(["request", "create", "foi", "received=2026-11-02", "requester=R"], environment: env).status == 0)
        let typo = try await Foiflow.run(["escalate", "--as-of", "2062-11-23"], environment: env)
        #expect(typo.status == 2 && typo.stderr.contains("after today (2026-11-23)"), "\(typo.stderr)")
        let dry = try await Foiflow.run(["escalate", "--as-of", "2062-11-23", "--dry-run"], environment: env)
        #expect(dry.status == 0 && dry.stdout.contains("(dry run)"))
        let history = try await Foiflow.run(["request", "history", "FOI-2026-000001", "--format", "csv"], environment: env)
        #expect(!history.stdout.contains("escalate") && !history.stdout.contains("lapse"))
        #expect(try await Foiflow.run(["escalate", "--as-of", "2026-11-23"], environment: env).status == 0)
    }

    @Test func csvCellsAreNeutralisedAndTablesShowControlCharactersEscaped() async throws {
        let (url, env) = try await migrated("outputsafe")
        #expect(
            try await Foiflow.run(
                ["request", "create", "foi", "received=2026-11-20", "requester=R", "team==HYPERLINK(\"http://x\")", "subject=@SUM(A1)"],
                environment: env
            ).status == 0)
        let csv = try await Foiflow.run(["request", "list", "--format", "csv"], environment: env)
        #expect(csv.stdout.contains(#""'=HYPERLINK(""http://x"")""#), "\(csv.stdout)")
        // A negative number is a number, not a formula.
        let risk = try await Foiflow.run(["risk", "--within", "30", "--format", "csv"], environment: env)
        #expect(risk.status == 0 && !risk.stdout.contains("'-"))
        // Rows written before the door was shut (here by hand) still cannot drive the terminal.
        let connection = try PostgresConnection(url: url)
        try connection.query("UPDATE requests SET subject = E'x\\033]0;owned\\007\\nforged row', team = E'north\\033[31m'")
        connection.close()
        let table = try await Foiflow.run(["request", "show", "FOI-2026-000001", "--format", "table"], environment: env)
        #expect(!table.stdout.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 })
        #expect(table.stdout.contains(#"x\u{1B}]0;owned\u{7}\nforged row"#), "\(table.stdout)")
        let list = try await Foiflow.run(["request", "list"], environment: env)
        #expect(list.stdout.contains(#"north\u{1B}[31m"#) && list.stdout.split(separator: "\n").count == 2)
        let text = try await Foiflow.run(["request", "show", "FOI-2026-000001", "--format", "text"], environment: env)
        #expect(!text.stdout.unicodeScalars.contains { $0.value == 0x1B } && text.stdout.split(separator: "\n").count == 1)
    }

    @Test func aHeldLockIsExit75AfterWaiting() async throws {
        let (url, env) = try await migrated("lockheld")
        let holder = try PostgresConnection(url: url)
        #expect(try holder.query("SELECT pg_try_advisory_lock(7419238475003) AS ok").first?.decode(Bool.self, "ok") == true)
        let started = ContinuousClock.now
        let blocked = try await Foiflow.run(["escalate", "--wait", "1"], environment: env)
        #expect(blocked.status == 75 && blocked.stderr.contains("still holds the lock"), "\(blocked.status) \(blocked.stderr)")
        #expect(ContinuousClock.now - started >= .seconds(1))
        // A run that waits for one that then finishes (here: the lock is let go) runs and exits 0.
        Task {
            try await Task.sleep(for: .milliseconds(500))
            _ = try holder.query("SELECT pg_advisory_unlock(7419238475003)")
        }
        let waited = try await Foiflow.run(["escalate", "--wait", "10"], environment: env)
        #expect(waited.status == 0, "\(waited.stderr)")
        holder.close()
    }

    @Test func exitCodesSayWhatHappened() async throws {
        let (url, env) = try await migrated("exitcodes")
        // A malformed holidays file is bad input: 2.
        let bad = FileManager.default.temporaryDirectory.appendingPathComponent("holidays-\(UUID().uuidString).json")
        try "{\"scotland\": []}".write(to: bad, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: bad) }
        #expect(try await Foiflow.run(["holidays", "import", bad.path], environment: env).status == 2)
        // A holiday title with a control character is refused at the door, added or imported.
        let hostile = try await Foiflow.run(
            ["holidays", "add", "2027-06-07", "--division", "england-and-wales", "--title", "Day\u{1B}[31m"], environment: env)
        #expect(hostile.status == 2 && hostile.stderr.contains("U+001B"), "\(hostile.stderr)")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("holidays-\(UUID().uuidString).json")
        try #"{"scotland": {"division": "scotland", "events": [{"title": "Day\u2028two", "date": "2027-06-07"}]}}"#
            .write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let imported = try await Foiflow.run(["holidays", "import", file.path], environment: env)
        #expect(imported.status == 2 && imported.stderr.contains("U+2028"), "\(imported.stderr)")
        // A missing database, a missing role, a malformed URL: configuration (2), not "try again" (5).
        let base = url.components(separatedBy: "/").dropLast().joined(separator: "/")
        for wrong in [base + "/no_such_database", url.replacingOccurrences(of: "postgres@", with: "no_such_role@"), "postgresql://[bad"] {
            let run = try await Foiflow.run(["request", "list"], environment: ["DATABASE_URL": wrong, "FOIFLOW_USER": "admin"])
            #expect(run.status == 2 && run.stderr.contains("database configuration"), "\(wrong): \(run.status) \(run.stderr)")
        }
        // Nothing listening is unavailable: 5.
        let closed = "postgresql://postgres@127.0.0.1:\(freeLoopbackPort())/postgres"
        #expect(try await Foiflow.run(["request", "list"], environment: ["DATABASE_URL": closed, "FOIFLOW_USER": "admin"]).status == 5)
    }
}

/// The sign-off policy, set with the CLI and enforced by the server and the CLI alike.
@Suite(.requiresDatabase) struct SignOffPolicyTests {
    @Test func refusalsNeedAManagersApprovalSinceTheLastChange() async throws {
        let database = try await CLIDatabase.create(
            "policy", today: "2026-11-23", users: [TestUser("admin", "admin"), TestUser("asmith", "officer"), TestUser("bkhan", "manager")])
        let db = database.plain
        let officer = database.env(as: "asmith")
        let manager = database.env(as: "bkhan")
        #expect(try await Foiflow.run(["policy", "show"], environment: db).stdout == "require-approval: none\ncost-limit: 450\npublish-after: 0\n")
        // Only an admin sets it.
        #expect(try await Foiflow.run(["policy", "require-approval", "refused,partial"], environment: officer).status == 6)
        #expect(try await Foiflow.run(["policy", "require-approval", "refused,maybe", "--as", "admin"], environment: db).status == 2)
        let set = try await Foiflow.run(["policy", "require-approval", "refused,partial,ncnd", "--as", "admin"], environment: db)
        #expect(set.status == 0 && set.stdout == "require-approval: partial,refused,ncnd\n")
        #expect(try await Foiflow.run(["request", "create", "foi", "received=2026-11-02", "requester=R"], environment: officer).status == 0)
        let respond = ["request", "act", "FOI-2026-000001", "respond", "outcome=refused", "exemptions=s31"]
        let unapproved = try await Foiflow.run(respond, environment: officer)
        #expect(unapproved.status == 7 && unapproved.stderr.contains("approve"), "\(unapproved.stderr)")
        // Granted needs no approval under this policy (on another request).
        #expect(try await Foiflow.run(["request", "create", "foi", "received=2026-11-02", "requester=R"], environment: officer).status == 0)
        #expect(try await Foiflow.run(["request", "act", "FOI-2026-000002", "respond", "outcome=granted"], environment: officer).status == 0)
        // Submitted, approved, then a change: the approval no longer stands.
        #expect(try await Foiflow.run(["request", "act", "FOI-2026-000001", "assign", "to=asmith"], environment: officer).status == 0)
        #expect(try await Foiflow.run(["request", "act", "FOI-2026-000001", "submit"], environment: officer).status == 0)
        #expect(try await Foiflow.run(["request", "act", "FOI-2026-000001", "approve"], environment: manager).status == 0)
        #expect(try await Foiflow.run(["request", "act", "FOI-2026-000001", "assign", "to=bkhan"], environment: manager).status == 0)
        #expect(try await Foiflow.run(respond, environment: officer).status == 7)
        // Submitted (naming the response: an approval binds it) and approved again, answered next:
        // accepted (the server reads the policy in the same statement).
        #expect(
            try await Foiflow.run(["request", "act", "FOI-2026-000001", "submit", "outcome=refused", "exemptions=s31"], environment: officer)
                .status == 0)
        #expect(try await Foiflow.run(["request", "act", "FOI-2026-000001", "approve"], environment: manager).status == 0)
        let approved = try await Foiflow.run(respond, environment: officer)
        #expect(approved.status == 0, "\(approved.stderr)")
        #expect(try await Foiflow.run(["policy", "require-approval", "none", "--as", "admin"], environment: db).stdout == "require-approval: none\n")
    }
}
