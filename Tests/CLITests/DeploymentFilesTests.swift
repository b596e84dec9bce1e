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
        var parsed: [String: Any]?
        for python in ["python3", "/usr/bin/python3"] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [python, "-c", script, compose]
            let out = Pipe()
            process.standardOutput = out
            process.standardError = FileHandle.nullDevice
            guard (try? process.run()) != nil else { continue }
            let data = out.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            if process.terminationStatus == 0 {
                parsed = try JSONSerialization.jsonObject(with: data) as? [String: Any]
                break
            }
        }
        let document = try #require(parsed, "docker-compose.yml did not parse (or no python3 with PyYAML)")
        let services = try #require(document["services"] as? [String: Any])
        #expect(Set(services.keys) == ["postgres", "foiflow"])
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
