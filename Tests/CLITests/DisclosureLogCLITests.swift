import Foundation
import Postgres
import TestSupport
import Testing

/// Issue 29, item 4, against the real binary: what `respond` decides about publication, and a
/// log entry that outlives the personal data of its request.
@Suite(.requiresDatabase) struct DisclosureLogCLITests {
    @Test func publicationIsDecidedAtRespondAndOutlivesAnonymisation() async throws {
        let url = try await TestDatabase.create("disclosurecli")
        let env = ["DATABASE_URL": url, "FOIFLOW_TODAY": "2026-12-01", "FOIFLOW_TODAY_OVERRIDE": "yes", "FOIFLOW_USER": ""]
        func run(_ arguments: [String], as login: String? = nil) async throws -> Foiflow.Outcome {
            try await Foiflow.run(arguments + (login.map { ["--as", $0] } ?? []), environment: env)
        }
        #expect(try await run(["migrate"]).status == 0)
        #expect(try await run(["user", "add", "admin", "--role", "admin"]).status == 0)
        #expect(try await run(["policy", "publish-after", "3"], as: "admin").stdout == "publish-after: 3\n")
        #expect(try await run(["policy", "publish-after", "999"], as: "admin").status == 2)
        for _ in 0..<3 {
            #expect(
                try await run(["request", "create", "foi", "received=2026-11-20", "requester=Jo Marker", "email=jo.marker@example.org"], as: "admin")
                    .status == 0)
        }
        let cases: [([String], Int32, String)] = [
            (["publish=yes"], 2, "publish=yes needs publish_title"),
            (["publish=no"], 2, "publish=no needs publish_reason"),
            (["publish=maybe"], 2, "publish=maybe is not yes or no"),
            (["publish_title=Speed cameras"], 2, "go with publish=yes or publish=no"),
            (["publish=yes", "publish_title=Speed cameras", "publish_reason=x"], 2, "publish=yes takes publish_title"),
        ]
        for (extra, status, message) in cases {
            let outcome = try await run(["request", "act", "FOI-2026-000001", "respond", "outcome=granted"] + extra, as: "admin")
            #expect(outcome.status == status && outcome.stderr.contains(message), "\(extra): \(outcome.stderr)")
        }
        let complaint = try await run(["request", "create", "complaint", "received=2026-11-20", "requester=Al"], as: "admin")
        #expect(complaint.status == 0)
        let notFOI = try await run(
            ["request", "act", "CMP-2026-000001", "respond", "outcome=granted", "publish=yes", "publish_title=x"], as: "admin")
        #expect(notFOI.status == 2 && notFOI.stderr.contains("FOI and EIR"), "\(notFOI.stderr)")

        #expect(
            try await run(
                ["request", "act", "FOI-2026-000001", "respond", "outcome=granted", "publish=YES", "publish_title=Speed cameras 2025"], as: "admin"
            ).status == 0)
        #expect(
            try await run(
                ["request", "act", "FOI-2026-000002", "respond", "outcome=granted", "publish=no", "publish_reason=names a victim"], as: "admin"
            ).status == 0)
        #expect(try await run(["request", "act", "FOI-2026-000003", "respond", "outcome=granted"], as: "admin").status == 0)
        let pool = PostgresPool(url: url, maxConnections: 1)
        defer { Task { await pool.shutdown() } }
        func log() async throws -> [String] {
            try await pool.query("SELECT ref || ' ' || publish_on || ' ' || title AS e FROM disclosure_log ORDER BY ref").rows.map {
                try $0.decode(String.self, "e")
            }
        }
        // Three working days after Tuesday 1 December: Friday the 4th.
        #expect(try await log() == ["FOI-2026-000001 2026-12-04 Speed cameras 2025"])
        let history = try await run(["request", "history", "FOI-2026-000002", "--format", "csv"])
        #expect(history.stdout.contains("publish_reason") || history.stdout.contains("names a victim"), "\(history.stdout)")

        // Reopened: off the log until it is answered again.
        #expect(try await run(["request", "act", "FOI-2026-000001", "reopen"], as: "admin").status == 0)
        #expect(try await log().isEmpty)
        #expect(
            try await run(
                ["request", "act", "FOI-2026-000001", "respond", "outcome=granted", "publish=yes", "publish_title=Speed cameras, 2025"], as: "admin"
            ).status == 0)
        #expect(try await log() == ["FOI-2026-000001 2026-12-04 Speed cameras, 2025"])

        // Erased: the personal data goes, the entry stays.
        #expect(try await run(["request", "act", "FOI-2026-000001", "close"], as: "admin").status == 0)
        let erased = try await run(["erase", "--ref", "FOI-2026-000001", "--reason", "Article 17"], as: "admin")
        #expect(erased.status == 0, "\(erased.stdout) \(erased.stderr)")
        let shown = try await run(["request", "show", "FOI-2026-000001", "--format", "text"])
        #expect(shown.stdout.contains("requester=anonymised") && !shown.stdout.contains("Marker"), "\(shown.stdout)")
        #expect(try await log() == ["FOI-2026-000001 2026-12-04 Speed cameras, 2025"])
    }
}
