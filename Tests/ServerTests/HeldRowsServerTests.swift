import Foundation
import Postgres
import Store
import TestSupport
import Testing

/// Two `foiflow serve` processes' worth of servers over one database, each holding the rows it
/// reads and writes (the default): what one changes, the other never acts on as held.
@Suite(.requiresDatabase) struct HeldRowsServerTests {
    @Test func twoServersOverOneDatabaseNeitherLosesAChangeNorReportsAStaleConflict() async throws {
        let a = try await ServerHarness()
        let b = try await ServerHarness(databaseURL: a.databaseURL)
        let onA = try await a.authenticatedClient(login: "amanager", role: .manager)
        let onB = try await b.authenticatedClient(login: "bmanager", role: .manager)
        #expect(try await onA.call("CREATE foi received=2026-11-20 requester=J").hasPrefix("OK ref=FOI-2026-000001 "))
        try onA.send("SHOW FOI-2026-000001\n")
        #expect(try await onA.readReply().status == "OK")  // a holds version 1
        #expect(try await onB.call("ACT FOI-2026-000001 assign to=bmanager").hasSuffix(" version=2"))
        // a's row is stale: its write misses, and it reads and decides again.
        #expect(try await onA.call("ACT FOI-2026-000001 assign to=amanager expect=2").hasSuffix(" version=3"))
        #expect(try await onB.call("ACT FOI-2026-000001 assign to=bmanager expect=3").hasSuffix(" version=4"))
        #expect(try await onA.call("ACT FOI-2026-000001 assign to=amanager expect=3").hasPrefix("ERR CONFLICT "))
        #expect(try await onA.call("ACT FOI-2026-000001 clarify").hasSuffix(" version=5"))
        // Every change is there once, in order, whichever server made it.
        let events = try await a.pool.query(
            "SELECT string_agg(e.actor || ':' || e.action, ',' ORDER BY e.seq) AS trail FROM request_events e JOIN requests r ON r.id = e.request_id"
        ).first?.decode(String.self, "trail")
        #expect(events == "amanager:create,bmanager:assign,amanager:assign,bmanager:assign,amanager:clarify")
        try await b.stop()
        try await a.stop()
    }
}
