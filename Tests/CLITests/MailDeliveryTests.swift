import Foundation
import TestSupport
import Testing

/// Issue 24, item 1: an outgoing letter reaches its requester and nobody else, whatever the
/// requester's name says. A fake sendmail records each run's arguments and message; Python's
/// own mail parser reads the messages as a mail system would.
@Suite(.requiresDatabase) struct MailDeliveryTests {
    struct Setup {
        var url: String
        var env: [String: String]
        var folder: URL
        var sendmail: String
    }

    func setUp(_ label: String) async throws -> Setup {
        let database = try await CLIDatabase.create(label, users: [TestUser("asmith", "officer")])
        let url = database.url
        let env = database.env(
            as: "asmith",
            ["FOIFLOW_UNIT_NAME": "Disclosure Unit", "FOIFLOW_UNIT_EMAIL": "foi@example.org", "FOIFLOW_MAIL_FROM": "foi@example.org"])
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("foiflow-fake-sendmail-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let script = folder.appendingPathComponent("sendmail")
        try """
        #!/bin/sh
        # A fake sendmail: each run's arguments (one a line) and its standard input.
        f=$(mktemp '\(folder.path)/run.XXXXXX')
        printf '%s\\n' "$@" > "$f.argv"
        cat > "$f.eml"
        rm -f "$f"
        """.write(to: script, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
        return Setup(url: url, env: env, folder: folder, sendmail: script.path)
    }

    /// Each run of the fake sendmail: its arguments and the message as Python's parser reads it.
    func runs(_ setup: Setup) async throws -> [(argv: [String], parsed: [String: Any])] {
        let names = try FileManager.default.contentsOfDirectory(atPath: setup.folder.path).filter { $0.hasSuffix(".eml") }.sorted()
        var result: [(argv: [String], parsed: [String: Any])] = []
        for name in names {
            let eml = setup.folder.appendingPathComponent(name)
            let argv = try String(contentsOf: eml.deletingPathExtension().appendingPathExtension("argv"), encoding: .utf8)
                .split(separator: "\n").map(String.init)
            let parser = """
                import email, email.policy, json, sys
                raw = open(sys.argv[1], 'rb').read()
                m = email.message_from_bytes(raw, policy=email.policy.default)
                def s(x):
                    return None if x is None else str(x).encode('utf-8', 'surrogateescape').decode('utf-8', 'replace')
                def addrs(name):
                    out = []
                    for h in m.get_all(name) or []:
                        out += [[s(a.display_name), s(a.addr_spec)] for a in h.addresses]
                    return out
                print(json.dumps({
                    'to': addrs('To'), 'cc': addrs('Cc'), 'bcc': addrs('Bcc'), 'resent': addrs('Resent-To'),
                    'headers': list(m.keys()), 'mime': s(m['MIME-Version']), 'charset': m.get_content_charset(),
                    'type': m.get_content_type(), 'subject': s(m['Subject']), 'body': s(m.get_content()),
                    'defects': [str(d) for d in m.defects],
                }))
                """
            let out = try await Program.run("python3", ["-c", parser, eml.path])
            #expect(out.status == 0, "\(out.stderr)")
            let parsed = try #require(try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any])
            result.append((argv, parsed))
        }
        return result
    }

    @Test func aRequesterNameCannotAddARecipient() async throws {
        let setup = try await setUp("mailsteer")
        defer { try? FileManager.default.removeItem(at: setup.folder) }
        let names = ["Evil\nBcc: victim@example.com", "Smith, John", "Siân O'Neil \"the elder\" <boss@example.com>", "Evil\tCc: x@example.com"]
        for (index, name) in names.enumerated() {
            let created = try await Foiflow.run(
                [
                    "request", "create", "foi", "received=2026-11-20", "requester=\(name)", "email=r\(index)@example.net", "contact=email",
                    "subject=Fees of £25",
                ],
                environment: setup.env)
            #expect(created.status == 0, "\(created.stderr)")
        }
        let sent = try await Foiflow.run(["notify", "--command", setup.sendmail], environment: setup.env)
        #expect(sent.status == 0 && sent.stdout.contains("delivered=4"), "\(sent.stdout) \(sent.stderr)")
        let runs = try await runs(setup)
        #expect(runs.count == 4)
        var seen: Set<String> = []
        for run in runs {
            let to = try #require(run.parsed["to"] as? [[String]])
            #expect(to.count == 1, "\(to)")
            let address = try #require(to.first?.last)
            seen.insert(address)
            // The delivery command is told the recipient; it never reads it from the headers.
            #expect(run.argv == [address], "\(run.argv)")
            #expect((run.parsed["cc"] as? [Any])?.isEmpty == true && (run.parsed["bcc"] as? [Any])?.isEmpty == true)
            #expect((run.parsed["headers"] as? [String])?.contains { ["bcc", "cc"].contains($0.lowercased()) } == false)
            #expect(run.parsed["mime"] as? String == "1.0" && run.parsed["charset"] as? String == "utf-8")
            #expect(run.parsed["type"] as? String == "text/plain")
            #expect((run.parsed["defects"] as? [Any])?.isEmpty == true, "\(run.parsed["defects"] ?? "")")
            #expect((run.parsed["body"] as? String)?.contains("FOI-2026-00000") == true)
        }
        #expect(seen == ["r0@example.net", "r1@example.net", "r2@example.net", "r3@example.net"])
        let displayNames = runs.compactMap { ($0.parsed["to"] as? [[String]])?.first?.first }
        #expect(displayNames.contains("Smith, John") && displayNames.contains("Evil Bcc: victim@example.com"))
        #expect(displayNames.contains("Siân O'Neil \"the elder\" <boss@example.com>"))
        #expect(displayNames.contains("Evil Cc: x@example.com"))
        #expect(runs.contains { ($0.parsed["body"] as? String)?.contains("Dear Siân O'Neil") == true })
    }

    @Test func addressesAreOneAddressWhereverTheyEnter() async throws {
        let setup = try await setUp("mailaddr")
        defer { try? FileManager.default.removeItem(at: setup.folder) }
        for bad in [
            "x@example.net, victim@example.com", "x@example.net\nBcc: v@example.com", "Jane <x@example.net>", "x@localhost", "-oQ@example.net",
        ] {
            let created = try await Foiflow.run(
                ["request", "create", "foi", "received=2026-11-20", "requester=R", "email=\(bad)"], environment: setup.env)
            #expect(created.status == 2 && created.stderr.contains("email="), "\(bad): \(created.stderr)")
            let user = try await Foiflow.run(
                ["user", "add", "u\(abs(bad.hashValue) % 10000)", "--role", "officer", "--email", bad], environment: setup.env)
            #expect(user.status == 2, "\(bad): \(user.stderr)")
        }
        #expect(try await TestDatabase.rows(["DATABASE_URL": setup.url], "SELECT count(*)::text FROM requests") == ["0"])
        #expect(try await TestDatabase.rows(["DATABASE_URL": setup.url], "SELECT count(*)::text FROM users") == ["1"])
        // A command that reads recipients from the headers is refused, as is a bad sender.
        let headerReading = try await Foiflow.run(["notify", "--command", "/usr/sbin/sendmail -ti"], environment: setup.env)
        #expect(headerReading.status == 2 && headerReading.stderr.contains("-t"), "\(headerReading.stderr)")
        let env = setup.env.merging(["FOIFLOW_NOTIFY_COMMAND": "sendmail -t"]) { $1 }
        #expect(try await Foiflow.run(["notify"], environment: env).status == 2)
        #expect(try await Foiflow.run(["notify", "--from", "a@b.org, c@d.org"], environment: setup.env).status == 2)
    }

    @Test func aRowStoredBeforeTheCheckIsGivenUpNotSent() async throws {
        let setup = try await setUp("mailold")
        defer { try? FileManager.default.removeItem(at: setup.folder) }
        #expect(
            try await Foiflow.run(
                ["request", "create", "foi", "received=2026-11-20", "requester=R", "email=r@example.net", "contact=email"], environment: setup.env
            ).status == 0)
        try await TestDatabase.execute(
            ["DATABASE_URL": setup.url], "UPDATE notifications SET email = 'r@example.net, victim@example.com'")
        let sent = try await Foiflow.run(["notify", "--command", setup.sendmail], environment: setup.env)
        #expect(sent.stdout.contains("delivered=0 retrying=0 given_up=1"), "\(sent.stdout)")
        #expect(sent.stderr.contains("given up") && !sent.stderr.contains("victim"), "\(sent.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: setup.folder.path).filter { $0.hasSuffix(".eml") }.isEmpty)
    }

    /// A delivery command that leaves a helper running in the background (as many sendmails
    /// do) has finished when it exits: Foundation's `isRunning` would wait for the helper.
    @Test func aCommandThatLeavesAHelperBehindIsDeliveredWhenItExits() async throws {
        let setup = try await setUp("mailhelper")
        defer { try? FileManager.default.removeItem(at: setup.folder) }
        let created = try await Foiflow.run(
            ["request", "create", "foi", "received=2026-11-20", "requester=R", "email=r@example.net", "contact=email"], environment: setup.env)
        #expect(created.status == 0)
        let pidFile = setup.folder.appendingPathComponent("helper.pid").path
        try FileManager.default.createDirectory(at: setup.folder, withIntermediateDirectories: true)
        let command = "cat >/dev/null; sleep 60 </dev/null >/dev/null 2>&1 & echo $! > '\(pidFile)'; :"
        let sent = try await Foiflow.run(["notify", "--command", command, "--command-timeout", "20"], environment: setup.env)
        if let helper = Int32(((try? String(contentsOfFile: pidFile, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)) {
            kill(helper, SIGKILL)
        }
        #expect(sent.status == 0 && sent.stdout.contains("delivered=1 retrying=0 given_up=0"), "\(sent.stdout) \(sent.stderr)")
    }

    /// Item 9: a hung delivery command is stopped; a permanent refusal is not retried; every
    /// failure says why.
    @Test func aHungCommandIsStoppedAndPermanentFailuresAreNotRetried() async throws {
        let setup = try await setUp("mailhung")
        defer { try? FileManager.default.removeItem(at: setup.folder) }
        for index in 0..<2 {
            let created = try await Foiflow.run(
                ["request", "create", "foi", "received=2026-11-20", "requester=R", "email=r\(index)@example.net", "contact=email"],
                environment: setup.env)
            #expect(created.status == 0)
        }
        #expect(try await Foiflow.run(["notify", "--command-timeout", "0"], environment: setup.env).status == 2)
        let started = ContinuousClock.now
        let hung = try await Foiflow.run(["notify", "--command", "sleep 60; :", "--command-timeout", "1"], environment: setup.env)
        #expect(ContinuousClock.now - started < .seconds(20))
        #expect(hung.status == 0 && hung.stdout.contains("delivered=0 retrying=2 given_up=0"), "\(hung.stdout)")
        #expect(hung.stderr.contains("did not finish within 1 s"), "\(hung.stderr)")
        try await TestDatabase.execute(["DATABASE_URL": setup.url], "UPDATE notifications SET next_attempt_at = now()")
        // EX_NOUSER: the mail system refuses the address for good.
        let refused = try await Foiflow.run(["notify", "--command", "echo 'no such user' >&2; exit 67"], environment: setup.env)
        #expect(refused.stdout.contains("delivered=0 retrying=0 given_up=2"), "\(refused.stdout)")
        #expect(refused.stderr.contains("given up: the delivery command exited with 67: no such user"), "\(refused.stderr)")
        let status = try await TestDatabase.rows(["DATABASE_URL": setup.url], "SELECT status FROM letters ORDER BY id")
        #expect(status == ["failed", "failed"])
    }
}
