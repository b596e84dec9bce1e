import ChildProcess
import Foundation
import TestSupport
import Testing

/// The real binary, as a subprocess.
@Suite struct CLIBasicsTests {
    @Test func versionAndHelp() async throws {
        let version = try await Foiflow.run(["--version"])
        #expect(version.status == 0)
        #expect(version.stdout == "0.1.0\n")
        let help = try await Foiflow.run(["--help"])
        #expect(help.status == 0)
        for word in ["migrate", "serve", "user", "Exit codes", "DATABASE_URL"] {
            #expect(help.stdout.contains(word), "help mentions \(word)")
        }
        let serveHelp = try await Foiflow.run(["serve", "--help"])
        #expect(serveHelp.status == 0 && serveHelp.stdout.contains("--listen") && serveHelp.stdout.contains("Example"))
    }

    /// A program that has exited has finished, even while a process it left behind still holds
    /// what it inherited (Foundation's `isRunning` waits for that one too); signals are told apart.
    @Test func anExitIsSeenWhileAnInheritorLivesOn() async throws {
        let left = try await Program.run("sh", ["-c", "sleep 60 </dev/null >/dev/null 2>&1 & echo $!; exit 3"], timeout: .seconds(20))
        if let helper = Int32(left.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) { kill(helper, SIGKILL) }
        #expect(left.status == 3)
        let sleeper = try RunningProcess(executable: URL(fileURLWithPath: "/bin/sh"), arguments: ["-c", "sleep 60"], environment: [:])
        #expect(sleeper.termination == nil)
        sleeper.signal(SIGKILL)
        #expect(try await sleeper.wait(timeout: .seconds(20)).status == SIGKILL)
        #expect(sleeper.termination == .signalled(SIGKILL))
    }

    @Test func usageErrorsExitTwo() async throws {
        let unknown = try await Foiflow.run(["frobnicate"])
        #expect(unknown.status == 2)
        #expect(unknown.stdout.isEmpty && !unknown.stderr.isEmpty)
        let badRole = try await Foiflow.run(["user", "add", "bob", "--role", "wizard"])
        #expect(badRole.status == 2 && badRole.stderr.contains("unknown role 'wizard'"))
        let badListen = try await Foiflow.run(["serve", "--listen", "nowhere"])
        #expect(badListen.status == 2 && badListen.stderr.contains("--listen"))
    }

    @Test func unreachableDatabaseExitsFiveWithOneLine() async throws {
        let outcome = try await Foiflow.run(["migrate"], environment: ["DATABASE_URL": "postgresql://postgres@127.0.0.1:1/none"])
        #expect(outcome.status == 5)
        #expect(outcome.stderr.hasPrefix("foiflow: database unavailable:"))
        #expect(outcome.stderr.split(separator: "\n").count == 1)
    }
}

@Suite(.requiresDatabase) struct CLIDatabaseTests {
    @Test func migrateTwiceIsANoOp() async throws {
        let url = try await TestDatabase.create("climig")
        let first = try await Foiflow.run(["migrate", "--database-url", url])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("applied 0001_users.sql"))
        let second = try await Foiflow.run(["migrate"], environment: ["DATABASE_URL": url])
        #expect(second.status == 0)
        #expect(second.stdout.contains("0 applied"))
        #expect(second.stderr.isEmpty)
    }

    @Test func userAddPrintsTheTokenAloneAndRefusesDuplicates() async throws {
        let url = try await TestDatabase.create("cliuser")
        let env = ["DATABASE_URL": url]
        #expect(try await Foiflow.run(["migrate"], environment: env).status == 0)
        let added = try await Foiflow.run(["user", "add", "asmith", "--role", "officer", "--team", "north"], environment: env)
        #expect(added.status == 0)
        let token = added.stdout.trimmingCharacters(in: .newlines)
        #expect(token.count == 64 && token.allSatisfy(\.isHexDigit))
        #expect(added.stdout == token + "\n")
        let duplicate = try await Foiflow.run(["user", "add", "asmith", "--role", "admin"], environment: env)
        #expect(duplicate.status == 4)
        #expect(duplicate.stderr == "foiflow: a user with login 'asmith' already exists\n")
        // First-run set-up: users exist, so nothing is created or printed.
        let firstRun = try await Foiflow.run(["user", "add", "admin", "--role", "admin", "--if-no-users"], environment: env)
        #expect(firstRun.status == 0 && firstRun.stdout.isEmpty)
    }

    @Test func userListFormatsCarryTheSameRows() async throws {
        let url = try await TestDatabase.create("clilist")
        let env = ["DATABASE_URL": url]
        _ = try await Foiflow.run(["migrate"], environment: env)
        _ = try await Foiflow.run(["user", "add", "bkhan", "--role", "manager", "--name", "B, Khan \"Bee\""], environment: env)
        _ = try await Foiflow.run(["user", "add", "asmith", "--role", "officer"], environment: env)
        let table = try await Foiflow.run(["user", "list"], environment: env)
        let csv = try await Foiflow.run(["user", "list", "--format", "csv"], environment: env)
        let json = try await Foiflow.run(["user", "list", "--format", "json"], environment: env)
        #expect(table.status == 0 && csv.status == 0 && json.status == 0)
        #expect(table.stdout.split(separator: "\n").dropFirst().map { String($0.split(separator: " ")[0]) } == ["asmith", "bkhan"])
        #expect(csv.stdout.hasPrefix("login,role,team,name,email,phone,status\nasmith,officer"))
        #expect(csv.stdout.contains("bkhan,manager,,\"B, Khan \"\"Bee\"\"\",,,active"))
        let objects = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: String]])
        #expect(objects.map { $0["login"] } == ["asmith", "bkhan"])
        #expect(objects.last?["name"] == "B, Khan \"Bee\"")
    }

    @Test func serveAnswersPingAndStopsCleanlyOnSIGTERM() async throws {
        let url = try await TestDatabase.create("cliserve")
        // A long AUTH limit: on a loaded machine this connection must not be closed for want of
        // AUTH before the drain does it.
        let (server, connected) = try await Foiflow.serve(environment: ["DATABASE_URL": url], extra: ["--auth-timeout", "120"])
        #expect(try await connected.call("PING") == "OK pong")
        #expect(try await connected.call("HELLO").hasPrefix("OK server=foiflow version=0.1.0 protocol=1"))
        server.signal(SIGTERM)
        let outcome = try await server.wait(timeout: .seconds(20))
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("draining"))
        let rest = try await connected.readToEOF()
        #expect(rest == "", "\(rest)")
    }

    /// The README's promise, end to end: `foiflow user disable` (another process) ends the
    /// running server's open session for that user at its next command.
    @Test func userDisableEndsALiveSessionOfTheRealServer() async throws {
        let url = try await TestDatabase.create("clirevoke")
        let env = ["DATABASE_URL": url]
        #expect(try await Foiflow.run(["migrate"], environment: env).status == 0)
        let token = try await Foiflow.run(["user", "add", "asmith", "--role", "officer"], environment: env).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let (server, connected) = try await Foiflow.serve(environment: env, extra: ["--log-level", "warning"])
        #expect(try await connected.call("AUTH \(token)") == "OK user=asmith role=officer")
        let created = try await connected.call("CREATE foi received=2026-11-20 requester=R")
        #expect(created.hasPrefix("OK ref=FOI-2026-000001 "), "\(created); server: \(server.stderrSoFar)")
        #expect(try await Foiflow.run(["user", "disable", "asmith"], environment: env).status == 0)
        #expect(try await connected.call("CREATE foi received=2026-11-20 requester=R").hasPrefix("ERR AUTH_FAILED "))
        #expect(try await connected.call("SHOW FOI-2026-000001").hasPrefix("ERR AUTH_REQUIRED "))
        #expect(try await connected.call("AUTH \(token)").hasPrefix("ERR AUTH_FAILED "))
        server.signal(SIGTERM)
        #expect(try await server.wait(timeout: .seconds(20)).status == 0)
    }

    /// A broken override of the letter templates stops the server at start, saying why.
    @Test func serveRefusesBrokenLetterTemplates() async throws {
        let url = try await TestDatabase.create("clitemplates")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("foiflow-templates-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "no header\n".write(to: dir.appendingPathComponent("refusal.mustache"), atomically: true, encoding: .utf8)
        let outcome = try await Foiflow.run(
            ["serve", "--listen", "127.0.0.1:\(freeLoopbackPort())"], environment: ["DATABASE_URL": url, "FOIFLOW_TEMPLATES": dir.path],
            timeout: .seconds(30))
        #expect(outcome.status == 2 && outcome.stderr.contains("letter templates: refusal"), "\(outcome.stderr)")
    }
}
