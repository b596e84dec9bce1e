import Foundation
import TestSupport
import Testing

/// `foiflow escalate` and `foiflow notify` as cron runs them.
@Suite(.requiresDatabase) struct NightlyCLITests {
    @Test func escalateThenNotifyToASpoolAndThroughACommand() async throws {
        let database = try await CLIDatabase.create(
            "clinightly",
            users: [
                TestUser("asmith", "officer", "--team", "north", "--email", "a.smith@example.org"),
                TestUser("bkhan", "manager", "--team", "north", "--email", "b.khan@example.org"),
            ])
        let (url, env) = (database.url, database.env(as: "asmith"))
        for received in ["2026-10-20", "2026-11-03"] {  // due 17 Nov (overdue) and 2 Dec (warning)
            #expect(
                try await Foiflow.run(["request", "create", "foi", "received=\(received)", "requester=R", "team=north"], environment: env).status == 0
            )
        }
        _ = try await Foiflow.run(["request", "act", "FOI-2026-000002", "assign", "to=asmith"], environment: env)

        let dry = try await Foiflow.run(["escalate", "--dry-run"], environment: env)
        #expect(dry.status == 0 && dry.stdout.contains("would escalate FOI-2026-000001 overdue") && dry.stdout.contains("(dry run)"))
        let run = try await Foiflow.run(["escalate", "--format", "json"], environment: env)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect(run.status == 0 && report["overdue"] as? Int == 1 && report["warning"] as? Int == 1 && report["skipped"] as? Bool == false)
        let again = try await Foiflow.run(["escalate"], environment: env)
        // Nothing left to do; then the digest of the history it records each night (issue 26).
        let lines = again.stdout.split(separator: "\n")
        #expect(again.status == 0 && lines.first == "escalate 2026-12-01: warning=0 overdue=0 very-overdue=0 lapsed=0 updates=0", "\(again.stdout)")
        #expect(lines.count == 2 && lines[1].hasPrefix("audit digest "), "\(again.stdout)")

        let spool = FileManager.default.temporaryDirectory.appendingPathComponent("foiflow-spool-\(UUID().uuidString)")
        let pending = try await Foiflow.run(["notify", "--dry-run"], environment: env)
        #expect(pending.stdout.contains("2 due"))
        // A failing command: retried later, nothing lost.
        let failing = try await Foiflow.run(["notify", "--command", "exit 3"], environment: env)
        #expect(failing.status == 0 && failing.stdout.contains("delivered=0 retrying=2"))
        try await TestDatabase.execute(["DATABASE_URL": url], "UPDATE notifications SET next_attempt_at = now()")
        let spooled = try await Foiflow.run(["notify", "--spool", spool.path], environment: env.merging(["FOIFLOW_NOTIFY_COMMAND": ""]) { $1 })
        #expect(spooled.stdout.contains("delivered=2"), "\(spooled.stdout) \(spooled.stderr)")
        let files = try FileManager.default.contentsOfDirectory(atPath: spool.path)
        #expect(files.count == 2 && files.allSatisfy { $0.hasSuffix(".eml") })
        let messages = try files.map { try String(contentsOf: spool.appendingPathComponent($0), encoding: .utf8) }
        #expect(messages.contains { $0.contains("To: \"asmith\" <a.smith@example.org>") && $0.contains("FOI-2026-000002 warning") })
        #expect(messages.contains { $0.contains("To: \"bkhan\" <b.khan@example.org>") && $0.contains("X-Foiflow-Request: FOI-2026-000001") })
        let nothing = try await Foiflow.run(["notify", "--spool", spool.path], environment: env)
        #expect(nothing.stdout.contains("delivered=0 retrying=0 given_up=0"))
    }

    /// A requester's e-mail letter goes out through `foiflow notify` exactly once, and a
    /// name with a line break in it cannot add a header.
    @Test func aLetterIsDeliveredOnceByTheFakeSendmail() async throws {
        let database = try await CLIDatabase.create("clilettermail", users: [TestUser("asmith", "officer")])
        let (url, env) = (
            database.url, database.env(as: "asmith", ["FOIFLOW_UNIT_NAME": "Disclosure Unit", "FOIFLOW_UNIT_EMAIL": "foi@example.org"])
        )
        let created = try await Foiflow.run(
            [
                "request", "create", "foi", "received=2026-11-20", "requester=Jane\nBcc: victim@example.org", "email=jane@example.org",
                "contact=email",
            ],
            environment: env)
        #expect(created.status == 0, "\(created.stderr)")
        let mailbox = FileManager.default.temporaryDirectory.appendingPathComponent("foiflow-mailbox-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: mailbox) }
        let sendmail = "cat >> '\(mailbox.path)'; echo '--end--' >> '\(mailbox.path)'"
        let first = try await Foiflow.run(["notify", "--command", sendmail], environment: env)
        #expect(first.status == 0 && first.stdout.contains("delivered=1"), "\(first.stdout) \(first.stderr)")
        let second = try await Foiflow.run(["notify", "--command", sendmail], environment: env)
        #expect(second.stdout.contains("delivered=0"))
        let text = try String(contentsOf: mailbox, encoding: .utf8)
        #expect(text.components(separatedBy: "--end--").count == 2)  // one message
        #expect(text.contains("<jane@example.org>") && text.contains("Subject: Your request FOI-2026-000001: received"))
        let headers = text.components(separatedBy: "\n\n").first ?? ""
        #expect(!headers.split(separator: "\n").contains { $0.hasPrefix("Bcc:") }, "\(headers)")
        let status = try await TestDatabase.rows(["DATABASE_URL": url], "SELECT status || ' ' || (sent_at IS NOT NULL)::text FROM letters")
        #expect(status == ["sent true"])
        // A letter that reached the requester is contact.
        #expect(try await TestDatabase.rows(["DATABASE_URL": url], "SELECT (last_contact IS NOT NULL)::text FROM requests") == ["true"])
    }
}

/// The nightly jobs' `--metrics-file`, read by Prometheus's own text parser.
@Suite(.requiresDatabase) struct NightlyMetricsFileTests {
    @Test func escalateAndNotifyWriteATextfile() async throws {
        let database = try await CLIDatabase.create("climetricsfile", users: [TestUser("asmith", "officer", "--email", "a@example.org")])
        let env = database.env(as: "asmith")
        for received in ["2026-10-20", "2026-11-03"] {  // due 17 Nov (overdue) and 2 Dec (warning)
            #expect(try await Foiflow.run(["request", "create", "foi", "received=\(received)", "requester=R"], environment: env).status == 0)
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("textfile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let escalateFile = folder.appendingPathComponent("foiflow_escalate.prom").path
        let run = try await Foiflow.run(["escalate", "--metrics-file", escalateFile], environment: env)
        #expect(run.status == 0 && run.stdout.contains("escalate 2026-12-01: warning=1 overdue=1 very-overdue=0"), "\(run.stdout)")
        let notifyFile = folder.appendingPathComponent("foiflow_notify.prom").path
        let spool = folder.appendingPathComponent("spool").path
        #expect(try await Foiflow.run(["notify", "--spool", spool, "--metrics-file", notifyFile], environment: env).status == 0)
        let parse = """
            import sys
            from prometheus_client.parser import text_string_to_metric_families
            for path in sys.argv[1:]:
                for family in text_string_to_metric_families(open(path).read()):
                    for s in family.samples:
                        print(s.name, ",".join("%s=%s" % kv for kv in sorted(s.labels.items())), s.value)
            """
        let parsed = try await Program.run("python3", ["-c", parse, escalateFile, notifyFile])
        #expect(parsed.status == 0, "\(parsed.stderr)")
        let lines = Set(parsed.stdout.split(separator: "\n").map(String.init))
        #expect(lines.contains("foiflow_escalate_escalations level=warning 1.0") && lines.contains("foiflow_escalate_escalations level=overdue 1.0"))
        #expect(lines.contains("foiflow_escalate_lapsed  0.0") && lines.contains("foiflow_escalate_skipped  0.0"), "\(lines)")
        #expect(lines.contains { $0.hasPrefix("foiflow_escalate_last_run_timestamp_seconds  ") })
        // Neither notice has anyone to go to (no assignee, no manager): a permanent failure,
        // given up at once rather than retried six times.
        #expect(lines.contains("foiflow_notify_delivered  0.0") && lines.contains("foiflow_notify_given_up  2.0"), "\(lines)")
        // No temporary file is left beside it.
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix(".") }.isEmpty)
    }
}
