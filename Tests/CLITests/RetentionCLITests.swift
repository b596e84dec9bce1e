import Foundation
import TestSupport
import Testing

/// Issue 26's done-when, through the binary: requests whose personal data carries markers in
/// every field go through acknowledgement, clarification with notes, a refusal with reasons,
/// letters e-mailed by a fake sendmail, a review and an ICO case; the date moves past their
/// retention; the nightly job runs twice at once and again; then a superuser's `pg_dump
/// --data-only` holds no marker of them, while the open and the held keep everything, and the
/// statistics are the same.
@Suite(.requiresDatabase) struct RetentionCLITests {
    @Test func theNightlyJobForgetsWhatIsDueAndNothingElse() async throws {
        let database = try await CLIDatabase.create("retentioncli", users: [TestUser("bkhan", "manager", "--email", "bkhan@example.org")])
        let (url, admin) = (database.url, database.plain)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("foiflow-retention-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let sendmail = folder.appendingPathComponent("sendmail")
        try "#!/bin/sh\ncat > /dev/null\n".write(to: sendmail, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: sendmail.path)
        func env(_ today: String) -> [String: String] {
            admin.merging([
                "FOIFLOW_USER": "bkhan", "FOIFLOW_TODAY": today, "FOIFLOW_TODAY_OVERRIDE": "yes", "FOIFLOW_UNIT_NAME": "Disclosure Unit",
                "FOIFLOW_UNIT_EMAIL": "foi@example.org", "FOIFLOW_MAIL_FROM": "foi@example.org",
            ]) { $1 }
        }
        @discardableResult
        func run(_ today: String, _ arguments: [String]) async throws -> String {
            let outcome = try await Foiflow.run(arguments, environment: env(today))
            #expect(outcome.status == 0, "\(arguments): \(outcome.stderr)")
            return outcome.stdout
        }
        func create(_ marker: String, _ kind: String = "foi", received: String, extra: [String] = []) async throws -> String {
            let out = try await run(
                received,
                [
                    "request", "create", kind, "received=\(received)", "requester=\(marker)-NAME", "email=\(marker.lowercased())@example.org",
                    "subject=\(marker)-SUBJECT", "address=\(marker)-ADDRESS", "--idempotency", "\(marker)-\(kind)-KEY",
                ] + extra)
            return String(out.split(separator: " ").first { $0.hasPrefix("ref=") }?.dropFirst(4) ?? "")
        }
        func act(_ today: String, _ ref: String, _ words: [String]) async throws { try await run(today, ["request", "act", ref] + words) }

        // A: an FOI refused after a clarification, reviewed, then complained of to the ICO.
        let a = try await create("MKA", received: "2022-01-10")
        try await run("2022-01-10", ["notify", "--command", sendmail.path])
        try await act("2022-01-11", a, ["clarify", "note=MKA-CLARIFY-NOTE"])
        try await act("2022-01-12", a, ["clarified", "note=MKA-CLARIFIED-NOTE"])
        try await act("2022-01-13", a, ["assign", "to=bkhan"])
        try await act("2022-02-01", a, ["respond", "outcome=refused", "exemptions=s31", "reason=MKA-REASON", "public_interest=MKA-PIT"])
        try await run("2022-02-01", ["notify", "--command", sendmail.path])
        let review = try await create("MKA", "review", received: "2022-02-10", extra: ["parent=\(a)"])
        try await act("2022-02-11", review, ["assign", "to=bkhan"])
        try await act("2022-03-01", review, ["respond", "outcome=upheld", "reason=MKA-REVIEW-REASON"])
        let ico = try await run(
            "2022-04-01",
            ["request", "create", "ico", "received=2022-04-01", "parent=\(a)", "ico_ref=IC-40001", "due=2022-04-29", "note=MKA-ICO-NOTE"])
        let icoRef = String(ico.split(separator: " ").first { $0.hasPrefix("ref=") }?.dropFirst(4) ?? "")
        try await act("2022-06-01", icoRef, ["decision", "on=2022-06-01", "outcome=upheld", "note=MKA-DECISION-NOTE"])
        try await run("2022-06-01", ["notify", "--command", sendmail.path])
        // B: answered, but under a legal hold. C: still open.
        let b = try await create("MKB", received: "2022-01-10")
        try await act("2022-01-13", b, ["assign", "to=bkhan"])
        try await act("2022-02-01", b, ["respond", "outcome=granted", "note=MKB-NOTE"])
        try await act("2022-02-02", b, ["hold", "reason=MKB-HOLD-REASON"])
        _ = try await create("MKC", received: "2022-01-10")

        let statsArgs = ["stats", "--from", "2022-01-01", "--to", "2022-12-31", "--format", "json"]
        let before = try await run("2028-07-01", statsArgs)
        let due = try await run("2028-07-01", ["retention", "due", "--within", "0d", "--format", "csv"])
        #expect(due.contains(a) && due.contains(b) && due.contains("legal hold on \(b)"), "\(due)")

        // The nightly job, twice at once, then again.
        let first = try Foiflow.start(["nightly"], environment: env("2028-07-01"))
        let second = try Foiflow.start(["nightly"], environment: env("2028-07-01"))
        let outcomes = [try await first.wait(timeout: .seconds(120)), try await second.wait(timeout: .seconds(120))]
        #expect(outcomes.allSatisfy { $0.status == 0 }, "\(outcomes.map(\.stderr))")
        #expect(outcomes.map(\.stdout).joined().contains("anonymise \(a)"), "\(outcomes.map(\.stdout))")
        try await run("2028-07-01", ["nightly"])

        let dump = try await Program.run("pg_dump", ["--data-only", url])
        #expect(dump.status == 0, "\(dump.stderr)")
        let survivors = dump.stdout.split(separator: "\n").filter { $0.contains("MKA") || $0.contains("mka@") }
        #expect(survivors.isEmpty, "markers of A survived: \(survivors.prefix(5))")
        for kept in ["MKB-NAME", "MKB-NOTE", "MKB-HOLD-REASON", "mkb@example.org", "MKC-NAME", "MKC-SUBJECT", "mkc@example.org"] {
            #expect(dump.stdout.contains(kept), "\(kept) was removed")
        }
        let after = try await run("2028-07-01", statsArgs)
        #expect(after == before)
        let shown = try await run("2028-07-01", ["request", "show", a, "--format", "text"])
        #expect(shown.contains("requester=anonymised") && !shown.contains("email="), "\(shown)")
        let history = try await run("2028-07-01", ["request", "history", a, "--format", "csv"])
        #expect(history.contains("anonymised") && history.contains("basis=schedule") && !history.contains("MKA"), "\(history)")
    }
}

/// The new commands refuse bad input with a clear error and the documented exit status, and
/// change nothing.
@Suite(.requiresDatabase) struct RetentionInputCLITests {
    @Test func badInputIsRefusedAndChangesNothing() async throws {
        let database = try await CLIDatabase.create(
            "retentioninput", users: [TestUser("admin", "admin"), TestUser("bkhan", "manager"), TestUser("asmith", "officer")])
        let (db, env) = (database.plain, database.env(as: "bkhan"))
        #expect(try await Foiflow.run(["request", "create", "foi", "received=2026-11-02", "requester=R"], environment: env).status == 0)
        let rules = try await Foiflow.run(["retention", "rules", "--format", "csv"], environment: db)
        #expect(rules.stdout.contains("foi,3,0,3 years") && rules.stdout.contains("review,,0,with the request it is about"), "\(rules.stdout)")
        let cases: [([String], Int32, String)] = [
            (["retention", "set", "nope", "--years", "3"], 2, "nope"),
            (["retention", "set", "foi", "--years", "-1"], 2, "years"),
            (["retention", "set", "foi", "--years", "101"], 2, "0 to 100"),
            (["retention", "set", "foi"], 2, "--years"),
            (["retention", "set", "foi", "--with-parent", "--as", "admin"], 2, "needs --years"),
            (["retention", "set", "foi", "--years", "4", "--as", "asmith"], 6, "officer"),
            (["retention", "run", "--as-of", "2026-13-01"], 2, "2026-13-01"),
            (["retention", "due", "--within", "4w"], 2, "4w"),
            (["request", "act", "FOI-2026-999999", "hold", "reason=litigation"], 3, "FOI-2026-999999"),
            (["request", "act", "FOI-2026-000001", "hold"], 2, "reason"),
            (["request", "act", "FOI-2026-000001", "hold", "reason=x", "until=2026-02-30"], 2, "until"),
            (["request", "act", "FOI-2026-000001", "hold", "reason=x", "until=2025-01-01"], 2, "past"),
            (["request", "act", "FOI-2026-000001", "release"], 7, "not on hold"),
            (["erase", "--reason", "x"], 2, "--email"),
            (["erase", "--ref", "FOI-2026-999999", "--reason", "asked", "--as", "admin"], 3, "FOI-2026-999999"),
            (["erase", "--email", "r@example.org", "--reason", "asked", "--as", "bkhan"], 6, "manager"),
        ]
        for (arguments, status, says) in cases {
            let run = try await Foiflow.run(arguments, environment: env)
            #expect(run.status == status, "\(arguments): \(run.status) \(run.stderr)")
            #expect(run.stderr.contains(says), "\(arguments): \(run.stderr)")
        }
        #expect(try await Foiflow.run(["retention", "rules", "--format", "csv"], environment: db).stdout == rules.stdout)
        #expect(try await TestDatabase.rows(db, "SELECT count(*)::text FROM request_events") == ["1"])
        #expect(try await TestDatabase.rows(db, "SELECT count(*)::text FROM retention_rule_changes") == ["0"])
        // A good change is recorded with who made it.
        #expect(try await Foiflow.run(["retention", "set", "sar", "--years", "2", "--months", "6", "--as", "admin"], environment: env).status == 0)
        #expect(
            try await TestDatabase.rows(db, "SELECT actor || ' ' || kind || ' ' || years || ' ' || months FROM retention_rule_changes") == [
                "admin sar 2 6"
            ])
    }
}
