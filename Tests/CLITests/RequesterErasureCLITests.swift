import Foundation
import TestSupport
import Testing

/// Issue 27's done-when for erasure: erasing a requester (issue 26's `foiflow erase`) removes the
/// requester record, its search index entries and its links' notes, and no marker survives a
/// superuser's `pg_dump`; another requester's data stays.
@Suite(.requiresDatabase) struct RequesterErasureCLITests {
    @Test func erasingARequesterLeavesNoMarkerAnywhere() async throws {
        let database = try await CLIDatabase.create("requestererase", users: [TestUser("bkhan", "manager")])
        let (url, env) = (database.url, database.env(as: "bkhan"))
        @discardableResult
        func run(_ arguments: [String]) async throws -> String {
            let outcome = try await Foiflow.run(arguments, environment: env)
            #expect(outcome.status == 0, "\(arguments): \(outcome.stderr)")
            return outcome.stdout
        }
        func create(_ marker: String, received: String) async throws -> String {
            let out = try await run([
                "request", "create", "foi", "received=\(received)", "requester=\(marker)-NAME", "email=\(marker.lowercased())@example.org",
                "subject=\(marker)-SUBJECT zebra", "address=\(marker)-ADDRESS", "note=\(marker)-CREATE-NOTE",
            ])
            return String(out.split(separator: " ").first { $0.hasPrefix("ref=") }?.dropFirst(4) ?? "")
        }
        let first = try await create("ERASEME", received: "2026-09-01")
        let second = try await create("ERASEME", received: "2026-10-01")
        let kept = try await create("KEEPME", received: "2026-10-02")
        try await run(["request", "act", second, "link", "to=\(first)", "type=repeat", "note=ERASEME-LINK-NOTE"])
        try await run(["request", "act", kept, "link", "to=\(second)", "type=related", "note=KEEPME-LINK-NOTE"])
        try await run(["request", "act", first, "estimate", "activity=locate", "hours=3", "note=ERASEME-ESTIMATE-NOTE"])
        try await run(["requester", first, "--reason", "ERASEME-LOOK-REASON"])
        for ref in [first, second] { try await run(["request", "act", ref, "respond", "outcome=granted", "note=ERASEME-ANSWER"]) }
        #expect(try await run(["search", "zebra", "--format", "csv"]).split(separator: "\n").count == 4)

        // The operator (an admin's command; no --as).
        var operatorEnv = env
        operatorEnv["FOIFLOW_USER"] = nil
        let erased = try await Foiflow.run(["erase", "--email", "ERASEME@example.org", "--reason", "Article 17 request"], environment: operatorEnv)
        #expect(erased.status == 0, "\(erased.stdout) \(erased.stderr)")
        let dump = try await Program.run("pg_dump", ["--data-only", url])
        #expect(dump.status == 0, "\(dump.stderr)")
        let survivors = dump.stdout.split(separator: "\n").filter { $0.uppercased().contains("ERASEME") }
        #expect(survivors.isEmpty, "markers survived: \(survivors.prefix(5))")
        for kept in ["KEEPME-NAME", "KEEPME-LINK-NOTE", "keepme@example.org", "keepme-subject"] {
            #expect(dump.stdout.lowercased().contains(kept.lowercased()), "\(kept) was removed")
        }
        // Found by reference only; the links stay (casework), their notes went.
        #expect(try await run(["search", "zebra", "--format", "csv"]).split(separator: "\n").count == 2)
        #expect(try await run(["search", first, "--format", "csv"]).contains(first))
        let shown = try await run(["request", "show", second, "--format", "text"])
        #expect(shown.contains("links=\(first):repeat,\(kept):related") && shown.contains("requester=anonymised"), "\(shown)")
        // One requester left: the one kept.
        let rows = try await Program.run("psql", ["-X", "-At", url, "-c", "SELECT count(*) FROM requesters"])
        #expect(rows.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "1", "\(rows)")
    }
}
