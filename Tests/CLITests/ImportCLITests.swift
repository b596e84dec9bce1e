import Foundation
import TestSupport
import Testing

/// `foiflow import` as an operator runs it: the real binary on a file.
@Suite(.requiresDatabase) struct ImportCLITests {
    @Test func importsChecksAndSummarises() async throws {
        let database = try await CLIDatabase.create("cliimportcsv", today: "2026-11-23", users: [TestUser("admin", "admin")])
        let (url, env) = (database.url, database.env(as: "admin"))
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("import-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let good = folder.appendingPathComponent("backlog.csv")
        let text =
            "\u{FEFF}Kind,Received,Requester,Subject,Legacy_Ref,Responded_On,Outcome,Exemptions\r\n"
            + "foi,03/11/2025,\"Smith, Jane\",\"Speed cameras,\r\nby road\",LEG-1,,,\r\n"
            + "eir,2025-11-04,R Jones,Air quality,LEG-2,2025-11-20,refused,reg 12(5)(b)\r\n" + ",,,,,,,\r\n"
        try text.write(to: good, atomically: true, encoding: .utf8)
        let dry = try await Foiflow.run(["import", good.path, "--dry-run"], environment: env)
        #expect(
            dry.status == 0 && dry.stdout.hasPrefix("import: 2 rows: would create 2 requests, 0 already imported;"), "\(dry.stdout) \(dry.stderr)")
        let first = try await Foiflow.run(["import", good.path], environment: env)
        #expect(
            first.status == 0 && first.stdout.hasPrefix("import: 2 rows: created 2 requests (1 answered), 0 already imported;"), "\(first.stdout)")
        // Not a terminal: no progress bar, only the summary.
        #expect(first.stderrBesidesDateNotice.isEmpty)
        let again = try await Foiflow.run(["import", good.path], environment: env)
        #expect(again.stdout.hasPrefix("import: 2 rows: created 0 requests (0 answered), 2 already imported;"))
        let show = try await Foiflow.run(["request", "show", "FOI-2025-000001", "--format", "json"], environment: env)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any])
        #expect(
            object["legacy_ref"] as? String == "LEG-1" && object["due"] as? String == "2025-12-02" && object["requester"] as? String == "Smith, Jane")

        let bad = folder.appendingPathComponent("bad.csv")
        try "kind,received,requester\nfoi,2025-11-31,R\nparking,2025-11-03,R\nfoi,2025-11-03,R\n".write(to: bad, atomically: true, encoding: .utf8)
        let refused = try await Foiflow.run(["import", bad.path], environment: env)
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("line 2, column received: '2025-11-31' is not a date") && refused.stderr.contains("line 3, column kind:"))
        #expect(refused.stderr.contains("2 problems in") && refused.stderr.contains("nothing was imported"))
        // With no user named, the operator with database access imports, recorded as os:<user>.
        let third = folder.appendingPathComponent("third.csv")
        try "kind,received,requester\nsar,2025-11-05,R\n".write(to: third, atomically: true, encoding: .utf8)
        let operatorRun = try await Foiflow.run(
            ["import", third.path], environment: ["DATABASE_URL": url, "FOIFLOW_TODAY": "2026-11-23", "FOIFLOW_TODAY_OVERRIDE": "yes"])
        #expect(operatorRun.status == 0 && operatorRun.stdout.contains("created 1 requests"), "\(operatorRun.stderr)")
        let history = try await Foiflow.run(["request", "history", "SAR-2025-000001", "--format", "csv"], environment: env)
        #expect(history.stdout.contains(",os:"), "\(history.stdout)")
        let missing = try await Foiflow.run(["import", folder.appendingPathComponent("nope.csv").path], environment: env)
        #expect(missing.status != 0 && missing.stderr.contains("cannot read"))
    }
}
