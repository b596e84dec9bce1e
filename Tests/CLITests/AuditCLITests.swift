import Foundation
import TestSupport
import Testing

/// Issue 26: a history anyone can verify. `audit verify` exits 0 on an untouched history and 1
/// naming the request and sequence number of an event changed by a superuser with the
/// append-only trigger disabled; a recorded digest finds a whole request removed.
@Suite(.requiresDatabase) struct AuditCLITests {
    func setUp(_ label: String) async throws -> [String: String] {
        let env = try await CLIDatabase.create(label, users: [TestUser("bkhan", "manager")]).env(as: "bkhan")
        for received in ["2026-11-02", "2026-11-03"] {
            #expect(try await Foiflow.run(["request", "create", "foi", "received=\(received)", "requester=R"], environment: env).status == 0)
        }
        for words in [["assign", "to=bkhan"], ["clarify", "note=which years?"], ["clarified"]] {
            #expect(try await Foiflow.run(["request", "act", "FOI-2026-000001"] + words, environment: env).status == 0)
        }
        return env
    }

    @Test func aChangedEventIsNamedBySequence() async throws {
        let env = try await setUp("auditchanged")
        let clean = try await Foiflow.run(["audit", "verify"], environment: env)
        #expect(clean.status == 0 && clean.stdout.contains("verified 2 requests, 5 events"), "\(clean.stdout) \(clean.stderr)")
        #expect(try await Foiflow.run(["audit", "digest", "--settle", "0"], environment: env).status == 0)
        #expect(try await Foiflow.run(["audit", "verify", "FOI-2026-000001"], environment: env).status == 0)
        // A superuser changes an event, the append-only trigger disabled.
        for statement in [
            "ALTER TABLE request_events DISABLE TRIGGER request_events_append_only",
            "UPDATE request_events SET actor = 'someone-else' WHERE seq = 2 AND request_id = (SELECT id FROM requests WHERE ref = 'FOI-2026-000001')",
            "ALTER TABLE request_events ENABLE TRIGGER request_events_append_only",
        ] {
            try await TestDatabase.execute(env, statement)
        }
        let found = try await Foiflow.run(["audit", "verify"], environment: env)
        #expect(found.status == 1 && found.stdout.contains("FOI-2026-000001 seq 2: its digest does not match"), "\(found.stdout)")
        #expect(!found.stdout.contains("FOI-2026-000002"))
        // The recorded digest no longer matches either: its chain head is the same, but the chain is not.
        let one = try await Foiflow.run(["audit", "verify", "FOI-2026-000002"], environment: env)
        #expect(one.status == 0, "\(one.stdout)")
    }

    @Test func aRemovedRequestOrEventIsFound() async throws {
        let env = try await setUp("auditremoved")
        #expect(try await Foiflow.run(["audit", "digest", "--settle", "0"], environment: env).status == 0)
        // The last event of one request goes, and the whole of the other.
        for statement in [
            "ALTER TABLE request_events DISABLE TRIGGER request_events_append_only",
            "DELETE FROM request_event_notes WHERE seq = 4",
            "DELETE FROM request_events WHERE seq = 4 AND request_id = (SELECT id FROM requests WHERE ref = 'FOI-2026-000001')",
            "DELETE FROM letters WHERE request_id = (SELECT id FROM requests WHERE ref = 'FOI-2026-000002')",
            "DELETE FROM notifications WHERE request_id = (SELECT id FROM requests WHERE ref = 'FOI-2026-000002')",
            "DELETE FROM request_event_notes WHERE request_id = (SELECT id FROM requests WHERE ref = 'FOI-2026-000002')",
            "DELETE FROM request_events WHERE request_id = (SELECT id FROM requests WHERE ref = 'FOI-2026-000002')",
            "DELETE FROM requests WHERE ref = 'FOI-2026-000002'",
            "ALTER TABLE request_events ENABLE TRIGGER request_events_append_only",
        ] {
            try await TestDatabase.execute(env, statement)
        }
        let found = try await Foiflow.run(["audit", "verify"], environment: env)
        #expect(found.status == 1, "\(found.stdout)")
        #expect(found.stdout.contains("FOI-2026-000001: it is at version 4 but has 3 events"), "\(found.stdout)")
        #expect(found.stdout.contains("no longer reproduced (it covered 2 requests and 5 events; they are now 1 and 3)"), "\(found.stdout)")
        #expect(try await Foiflow.run(["audit", "verify", "FOI-2026-000009"], environment: env).status == 3)
    }
}
