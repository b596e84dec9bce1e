import Foundation
import TestSupport
import Testing

/// Issue 28, tried again as a new unit would, against the real binary: the unit's details,
/// correcting a request, managing users, and the record of every change.
@Suite(.requiresDatabase) struct OperationCLITests {
    static func env(_ url: String) -> [String: String] {
        ["DATABASE_URL": url, "FOIFLOW_TODAY": "2026-12-01", "FOIFLOW_TODAY_OVERRIDE": "yes", "FOIFLOW_USER": "", "FOIFLOW_UNIT_NAME": ""]
    }

    @Test func aNewUnitsDayFromSetUpToEscalation() async throws {
        let url = try await TestDatabase.create("operationcli")
        let env = Self.env(url)
        func run(_ arguments: [String], as login: String? = nil) async throws -> Foiflow.Outcome {
            try await Foiflow.run(arguments + (login.map { ["--as", $0] } ?? []), environment: env)
        }
        #expect(try await run(["migrate"]).status == 0)
        #expect(try await run(["user", "add", "admin", "--role", "admin", "--if-no-users"]).status == 0)
        #expect(try await run(["user", "add", "asmith", "--role", "officer", "--name", "Alex Smith"], as: "admin").status == 0)

        // Out of the box the unit has no details: the server says so at start, and `unit show`
        // says what letters lack.
        let (server, _) = try await ServerResilienceTests.serve(url)
        server.signal(SIGTERM)
        let stopped = try await server.wait(timeout: .seconds(30))
        #expect(stopped.stderr.contains("the unit's details lack a name"), "\(stopped.stderr)")
        let bare = try await run(["unit", "show"])
        #expect(bare.status == 0 && bare.stderr.contains("lack a name") && bare.stderr.contains("foiflow unit set"), "\(bare.stderr)")
        // A request made now: its acknowledgement is a task whose text names what is missing,
        // never a broken sentence.
        let first = try await run(["request", "create", "foi", "received=2026-11-30", "requester=Jo", "email=jo@example.org"], as: "asmith")
        #expect(
            first.status == 0 && first.stderr.contains("warning: the acknowledgement is held as a task (missing: the lead officer's name"),
            "\(first.stderr)")
        let early = try await run(["letter", "1"])
        #expect(early.stdout.contains("status: task") || early.stdout.contains("task"), "\(early.stdout)")
        #expect(early.stdout.contains("[missing: the lead officer's name"), "\(early.stdout)")
        #expect(!early.stdout.contains(" is leading on your request. You can reach them at ."), "\(early.stdout)")

        // After `unit set`, a new request's acknowledgement is queued by e-mail naming the unit.
        let set = try await run(["unit", "set", "--name", "North Police Disclosure Unit", "--email", "foi@north.example"], as: "admin")
        #expect(set.status == 0 && set.stdout.contains("foi@north.example"), "\(set.stdout) \(set.stderr)")
        let shown = try await run(["unit", "show", "--format", "text"])
        #expect(shown.stdout.contains("source=database") && !shown.stderr.contains("lack"), "\(shown.stdout) \(shown.stderr)")
        #expect(try await run(["request", "create", "foi", "received=2026-11-30", "requester=Al", "email=al@example.org"], as: "asmith").status == 0)
        let letters = try await run(["letters", "FOI-2026-000002", "--format", "csv"])
        #expect(letters.stdout.contains("acknowledgement,email,queued"), "\(letters.stdout)")
        let acknowledgement = try await run(["letter", "2"])
        #expect(
            acknowledgement.stdout.contains("North Police Disclosure Unit is leading on your request. You can reach them at foi@north.example."),
            "\(acknowledgement.stdout)")

        // An e-mail typed wrong is amended; the amendment is in HISTORY; the next letter uses it.
        let amended = try await run(["request", "act", "FOI-2026-000002", "amend", "email=al.jones@example.org", "note=typo"], as: "asmith")
        #expect(amended.status == 0, "\(amended.stderr)")
        let history = try await run(["request", "history", "FOI-2026-000002", "--format", "csv"])
        #expect(history.stdout.contains("amend") && history.stdout.contains("al.jones@example.org"), "\(history.stdout)")
        let clarify = try await run(["request", "act", "FOI-2026-000002", "clarify", "note=Which year?"], as: "asmith")
        #expect(clarify.status == 0 && !clarify.stderr.contains("held as a task"), "\(clarify.stderr)")
        let after = try await run(["letters", "FOI-2026-000002", "--format", "csv"])
        #expect(after.stdout.contains("clarification,email,queued"), "\(after.stdout)")
        let clarification = try await run(["letter", "3"])
        #expect(clarification.stdout.contains("al.jones@example.org") && !clarification.stdout.contains("al@example.org"), "\(clarification.stdout)")
        #expect((try await run(["request", "show", "FOI-2026-000002"])).stdout.contains("al.jones@example.org"))

        // A refusal without its reasons is not a quiet task: the officer is told at once.
        let refused = try await run(["request", "act", "FOI-2026-000001", "respond", "outcome=refused", "exemptions=s31"], as: "asmith")
        #expect(
            refused.status == 0 && refused.stderr.contains("warning: the refusal letter is held as a task (missing: reasons)"), "\(refused.stderr)")

        // The admin gets an e-mail address, and receives the very-overdue escalation.
        let update = try await run(["user", "update", "admin", "--email", "head@north.example"], as: "admin")
        #expect(update.status == 0 && update.stdout.contains("email=head@north.example"), "\(update.stdout) \(update.stderr)")
        #expect(try await run(["request", "create", "foi", "received=2026-08-03", "requester=Old"], as: "asmith").status == 0)
        let escalated = try await run(["escalate"])
        #expect(escalated.stdout.contains("very-overdue=1"), "\(escalated.stdout) \(escalated.stderr)")
        // A dry run names letters by their letter id (as LETTERS and `foiflow letter` do), and
        // staff notifications as notifications.
        let dry = try await run(["notify", "--dry-run"])
        #expect(dry.stdout.contains("would send letter 2 FOI-2026-000002 letter"), "\(dry.stdout)")
        #expect(dry.stdout.contains("would send notification ") && dry.stdout.contains(" very-overdue"), "\(dry.stdout)")
        let spool = FileManager.default.temporaryDirectory.appendingPathComponent("foiflow-operation-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: spool) }
        let sent = try await Foiflow.run(
            ["notify", "--spool", spool.path], environment: env.merging(["FOIFLOW_NOTIFY_COMMAND": ""]) { $1 })
        #expect(sent.stdout.contains("retrying=0"), "\(sent.stdout)")
        let messages = try FileManager.default.contentsOfDirectory(atPath: spool.path).map {
            try String(contentsOf: spool.appendingPathComponent($0), encoding: .utf8)
        }
        #expect(
            messages.contains { $0.contains("To: <head@north.example>") || $0.contains("head@north.example") && $0.contains("very-overdue") },
            "\(messages)")
        // Mail goes out in the unit's name.
        #expect(messages.allSatisfy { $0.contains("North Police Disclosure Unit") }, "\(messages)")

        // Every change to users, policy, commitments and the unit's details is listed.
        #expect(try await run(["policy", "cost-limit", "600"], as: "admin").status == 0)
        #expect(
            try await run(["commitment", "set", "complaint", "--working-days", "10", "--text", "Within 10 working days"], as: "admin").status == 0)
        #expect(try await run(["user", "disable", "asmith"], as: "admin").status == 0)
        let enabled = try await run(["user", "enable", "asmith"], as: "admin")
        #expect(enabled.status == 0 && enabled.stdout.trimmingCharacters(in: .whitespacesAndNewlines).count == 64, "\(enabled.stdout)")
        #expect(try await run(["user", "enable", "asmith"], as: "admin").status == 4)
        let changes = try await run(["audit", "changes", "--since", "2026-01-01", "--format", "csv"])
        let lines = changes.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "at,actor,subject,target,change", "\(lines)")
        for expected in [
            ",user,admin,added as admin", ",admin,user,asmith,added as officer; name set", ",admin,user,admin,email set",
            ",admin,unit,details,name (none) → North Police Disclosure Unit; email (none) → foi@north.example",
            ",admin,policy,cost-limit,set to 600", ",admin,commitment,complaint,set to 10 working-days: Within 10 working days",
            ",admin,user,asmith,disabled", ",admin,user,asmith,enabled; new API token",
        ] {
            #expect(lines.contains { $0.contains(expected) }, "\(expected) in \(lines)")
        }
        // Staff's e-mail addresses are named as changed, never written there.
        #expect(!changes.stdout.contains("head@north.example"))
        #expect(try await run(["audit", "changes", "--since", "2099-01-01", "--format", "csv"]).stdout == "at,actor,subject,target,change\n")
    }

    @Test func badAmendmentsAreClearErrorsAndChangeNothing() async throws {
        let database = try await CLIDatabase.create(
            "amendcli", users: [("asmith", "officer"), ("bkhan", "manager"), ("audit", "auditor")].map { TestUser($0, $1, "--team", "north") })
        func run(_ arguments: [String], as login: String? = nil) async throws -> Foiflow.Outcome {
            try await database.run(arguments, as: login, ["FOIFLOW_UNIT_NAME": ""])
        }
        #expect(try await run(["request", "create", "foi", "received=2026-11-30", "requester=Jo", "email=jo@example.org"], as: "asmith").status == 0)
        let before = try await run(["request", "show", "FOI-2026-000001", "--format", "json"])
        let cases: [([String], String, Int32, String)] = [
            (["amend", "colour=red"], "asmith", 2, "does not take 'colour'"),
            (["amend", "ref=FOI-2026-000009"], "asmith", 2, "amend cannot change ref"),
            (["amend", "received=2026-11-01"], "asmith", 2, "amend cannot change received"),
            (["amend", "due=2026-12-31"], "asmith", 2, "amend cannot change due"),
            (["amend", "email=not-an-address"], "asmith", 2, "email="),
            (["amend", "phone=call me"], "asmith", 2, "phone="),
            (["amend", "contact=phone"], "asmith", 2, "contact=phone needs phone="),
            (["amend", "requester="], "asmith", 2, "requester must not be empty"),
            (["amend"], "asmith", 2, "amend needs at least one"),
            (["amend", "email=jo.b@example.org"], "audit", 6, "auditor may not take the action 'amend'"),
            (["amend", "team=south"], "asmith", 6, "only a manager or an admin"),
            (["amend", "team=south"], "bkhan", 6, "team north"),
        ]
        for (arguments, login, status, message) in cases {
            let outcome = try await run(["request", "act", "FOI-2026-000001"] + arguments, as: login)
            #expect(outcome.status == status, "\(arguments): \(outcome.status) \(outcome.stderr)")
            #expect(outcome.stderr.contains(message), "\(arguments): \(outcome.stderr)")
        }
        #expect(try await run(["request", "show", "FOI-2026-000001", "--format", "json"]).stdout == before.stdout)
        let history = try await run(["request", "history", "FOI-2026-000001", "--format", "csv"])
        #expect(history.stdout.split(separator: "\n").count == 2, "\(history.stdout)")

        // What a correction may do: a number and the wish to be telephoned, in one event.
        let fixed = try await run(["request", "act", "FOI-2026-000001", "amend", "phone=01234 567890", "contact=PHONE"], as: "asmith")
        #expect(fixed.status == 0, "\(fixed.stderr)")
        let shown = try await run(["request", "show", "FOI-2026-000001", "--format", "text"])
        #expect(shown.stdout.contains("phone=\"01234 567890\"") && shown.stdout.contains("contact=phone"), "\(shown.stdout)")
        #expect(try await run(["request", "history", "FOI-2026-000001", "--format", "csv"]).stdout.split(separator: "\n").count == 3)
        // A request made to be telephoned needs its number.
        let noNumber = try await run(["request", "create", "foi", "received=2026-11-30", "requester=Al", "contact=phone"], as: "asmith")
        #expect(noNumber.status == 2 && noNumber.stderr.contains("contact=phone needs phone="), "\(noNumber.stderr)")
    }
}
