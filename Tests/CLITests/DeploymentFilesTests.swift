import Foundation
import TestSupport
import Testing

/// There is no Docker engine where the tests run, so the compose file is
/// checked as YAML: it parses, and names both services wired together.
@Suite struct DeploymentFilesTests {
    @Test func composeFileParsesAndNamesBothServices() async throws {
        let compose = TestDatabase.packageRoot.appendingPathComponent("docker-compose.yml").path
        let script = """
            import json, sys, yaml
            doc = yaml.safe_load(open(sys.argv[1]))
            print(json.dumps(doc))
            """
        // Output through a file, not a pipe: a pipe's end inherited by a process another test
        // spawns at the same moment would keep the read waiting for that process.
        let outcome = try await Program.run("python3", ["-c", script, compose])
        let parsed = outcome.status == 0 ? try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any] : nil
        let document = try #require(parsed, "docker-compose.yml did not parse (or no python3 with PyYAML)")
        let services = try #require(document["services"] as? [String: Any])
        #expect(Set(services.keys) == ["postgres", "foiflow", "nightly"])
        let postgres = try #require(services["postgres"] as? [String: Any])
        #expect((postgres["image"] as? String)?.hasPrefix("postgres:15") == true)
        #expect(postgres["healthcheck"] != nil)
        #expect((postgres["volumes"] as? [String])?.isEmpty == false)
        let foiflow = try #require(services["foiflow"] as? [String: Any])
        let environment = try #require(foiflow["environment"] as? [String: Any])
        #expect((environment["DATABASE_URL"] as? String)?.contains("@postgres:5432/") == true)
        #expect(foiflow["depends_on"] != nil)
        // The image it builds exists, and copies every folder Package.swift names a target in.
        let dockerfile = try String(contentsOf: TestDatabase.packageRoot.appendingPathComponent("Dockerfile"), encoding: .utf8)
        let manifest = try String(contentsOf: TestDatabase.packageRoot.appendingPathComponent("Package.swift"), encoding: .utf8)
        for folder in ["Sources", "Tests", "Benchmarks", "sql"] where folder == "sql" || manifest.contains("\(folder)/") || folder == "Sources" {
            #expect(dockerfile.contains("COPY \(folder) "), "the Dockerfile does not copy \(folder)/")
        }
    }
}

/// deploy/: the systemd unit, the cron file and the compose file, each checked by the tool that
/// reads it (or its rules) rather than by eye.
@Suite struct ServiceFilesTests {
    static let root = TestDatabase.packageRoot

    @Test func theSystemdUnitVerifies() async throws {
        let unit = try String(contentsOf: Self.root.appendingPathComponent("deploy/foiflow.service"), encoding: .utf8)
        let settings = unit.split(separator: "\n").filter { !$0.hasPrefix("#") && $0.contains("=") }.map(String.init)
        for required in ["Restart=on-failure", "User=foiflow", "EnvironmentFile=/etc/foiflow/foiflow.env", "NoNewPrivileges=yes"] {
            #expect(settings.contains(required), "the unit lacks \(required)")
        }
        #expect(settings.contains { $0.hasPrefix("ExecStart=/usr/local/bin/foiflow serve") })
        guard Program.find("systemd-analyze") != nil else { return }  // checked as text above; verified below where systemd is
        // systemd-analyze verify over a scratch root that has the unit, the targets it names
        // and an executable where ExecStart points; any warning fails the test.
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("systemd-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let units = scratch.appendingPathComponent("etc/systemd/system"), bin = scratch.appendingPathComponent("usr/local/bin")
        try FileManager.default.createDirectory(at: units, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        try unit.write(to: units.appendingPathComponent("foiflow.service"), atomically: true, encoding: .utf8)
        try "#!/bin/sh\n".write(to: bin.appendingPathComponent("foiflow"), atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: bin.appendingPathComponent("foiflow").path)
        for name in (try? FileManager.default.contentsOfDirectory(atPath: "/lib/systemd/system")) ?? [] where name.hasSuffix(".target") {
            try? FileManager.default.copyItem(atPath: "/lib/systemd/system/\(name)", toPath: units.appendingPathComponent(name).path)
        }
        let verify = try await Program.run(
            "systemd-analyze", ["verify", "--man=no", "--root=\(scratch.path)", "/etc/systemd/system/foiflow.service"])
        #expect(verify.status == 0 && verify.stderr.isEmpty && verify.stdout.isEmpty, "\(verify.stdout)\(verify.stderr)")
        // The check can fail: a bad value is reported.
        try unit.replacingOccurrences(of: "Restart=on-failure", with: "Restart=sometimes")
            .write(to: units.appendingPathComponent("foiflow.service"), atomically: true, encoding: .utf8)
        let bad = try await Program.run("systemd-analyze", ["verify", "--man=no", "--root=\(scratch.path)", "/etc/systemd/system/foiflow.service"])
        #expect(bad.stderr.contains("restart"))
    }

    /// `/etc/cron.d` syntax: variables, then jobs of five time fields, a user and a command;
    /// each field within its range; no bare `%` (cron would cut the command there); each
    /// command valid sh, under flock, with its output to the log.
    @Test func theCronFileIsValid() async throws {
        let text = try String(contentsOf: Self.root.appendingPathComponent("deploy/foiflow.cron"), encoding: .utf8)
        #expect(text.hasSuffix("\n"), "cron ignores a last line without a newline")
        let ranges: [ClosedRange<Int>] = [0...59, 0...23, 1...31, 1...12, 0...7]
        func valid(_ field: Substring, _ range: ClosedRange<Int>) -> Bool {
            field.split(separator: ",", omittingEmptySubsequences: false).allSatisfy { item in
                let parts = item.split(separator: "/", omittingEmptySubsequences: false)
                guard parts.count <= 2 else { return false }
                if parts.count == 2, (Int(parts[1]) ?? 0) < 1 { return false }
                if parts[0] == "*" { return true }
                let bounds = parts[0].split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
                guard (1...2).contains(bounds.count), bounds.allSatisfy({ $0.map(range.contains) == true }) else { return false }
                return bounds.count == 1 || (bounds[0] ?? 0) <= (bounds[1] ?? 0)
            }
        }
        var jobs: [String] = []
        for line in text.split(separator: "\n") where !line.hasPrefix("#") && !line.allSatisfy(\.isWhitespace) {
            if line.firstIndex(of: "=").map({ !line[..<$0].contains(" ") }) == true { continue }  // NAME=value
            let fields = line.split(separator: " ", maxSplits: 6, omittingEmptySubsequences: true)
            try #require(fields.count == 7, "not a cron.d job line: \(line)")
            for (field, range) in zip(fields.prefix(5), ranges) { #expect(valid(field, range), "\(field) in \(line)") }
            #expect(fields[5] == "foiflow")
            let command = fields[6].trimmingCharacters(in: .whitespaces)
            #expect(!command.replacingOccurrences(of: "\\%", with: "").contains("%"), "a bare % in \(command)")
            #expect(command.hasPrefix("flock -n ") && command.contains("| logger -t "))
            let syntax = try await Program.run("sh", ["-n", "-c", command])
            #expect(syntax.status == 0, "\(syntax.stderr)")
            jobs.append(command)
        }
        #expect(jobs.contains { $0.contains("foiflow escalate --metrics-file") } && jobs.contains { $0.contains("foiflow notify") })
        // Valid ranges are checked, not assumed.
        #expect(!valid("60", 0...59) && !valid("5-1", 0...59) && !valid("*/0", 0...59) && valid("1,2,*/5", 0...59))
    }

    /// The compose file against the Compose specification's JSON schema (the one docker-compose
    /// 1.29.2 ships, fetched from PyPI), as there is no Docker engine here to run `config`.
    @Test func theComposeFileMatchesTheComposeSchema() async throws {
        let script = """
            import glob, json, os, subprocess, sys, tempfile, zipfile, yaml, jsonschema
            folder = tempfile.mkdtemp()
            subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", folder, "docker-compose==1.29.2"], check=True)
            wheel = zipfile.ZipFile(glob.glob(os.path.join(folder, "*.whl"))[0])
            schema = json.loads(wheel.read("compose/config/compose_spec.json"))
            document = yaml.safe_load(open(sys.argv[1]))
            errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(document), key=lambda e: list(e.path))
            for e in errors: print("/".join(map(str, e.path)), e.message)
            bad = dict(document); bad["services"] = dict(document["services"]); bad["services"]["foiflow"] = dict(document["services"]["foiflow"], restart_policy="sometimes")
            print("bad rejected:", any(True for _ in jsonschema.Draft7Validator(schema).iter_errors(bad)))
            """
        let run = try await Program.run("python3", ["-c", script, Self.root.appendingPathComponent("docker-compose.yml").path])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout == "bad rejected: True\n", "schema errors: \(run.stdout)")
    }
}
