import Postgres
import Server
import Store
import TestSupport
import Testing
import Workflow

/// A session's identity is checked again as it works (PROTOCOL.md, Limits and hostile input):
/// once its user is disabled, its token rotated or the user removed, the next command gets
/// `ERR AUTH_FAILED` and the session is unauthenticated.
@Suite(.requiresDatabase) struct RevocationTests {
    @Test func disablingAUserEndsItsOpenSessionsAtTheNextCommand() async throws {
        let harness = try await ServerHarness()
        let client = try await harness.authenticatedClient(login: "asmith", role: .officer)
        #expect(try await client.call("LIST").hasPrefix("OK "))
        try await UserStore(pool: harness.pool).disable(login: "asmith")
        #expect(try await client.call("CREATE foi received=2026-11-20 requester=R").hasPrefix("ERR AUTH_FAILED "))
        #expect(try await client.call("LIST").hasPrefix("ERR AUTH_REQUIRED "))
        // Nothing was created by the revoked session.
        let count = try await harness.pool.query("SELECT count(*) AS n FROM requests").first?.decode(Int.self, "n")
        #expect(count == 0)
        try await harness.stop()
    }

    @Test func rotatingATokenEndsSessionsOfTheOldOneAndTheNewOneWorks() async throws {
        let harness = try await ServerHarness()
        let client = try await harness.authenticatedClient(login: "bkhan", role: .manager)
        #expect(try await client.call("LIST").hasPrefix("OK "))
        let fresh = try await UserStore(pool: harness.pool).newToken(login: "bkhan")
        #expect(try await client.call("LIST").hasPrefix("ERR AUTH_FAILED "))
        #expect(try await client.call("AUTH \(fresh)") == "OK user=bkhan role=manager")
        #expect(try await client.call("LIST").hasPrefix("OK "))
        try await harness.stop()
    }

    @Test func aRemovedUserIsRefusedAndARoleChangeTakesEffect() async throws {
        let harness = try await ServerHarness()
        let removed = try await harness.authenticatedClient(login: "gone", role: .officer)
        let demoted = try await harness.authenticatedClient(login: "cjones", role: .manager)
        #expect(try await removed.call("LIST").hasPrefix("OK "))
        let created = try await demoted.call("CREATE foi received=2026-11-20 requester=R")
        #expect(created.hasPrefix("OK ref=FOI-2026-000001 "))
        try await harness.pool.query("DELETE FROM users WHERE login = 'gone'")
        try await harness.pool.query("UPDATE users SET role = 'auditor' WHERE login = 'cjones'")
        // A write is refused by the database itself, however soon after the revocation.
        #expect(try await removed.call("CREATE foi received=2026-11-20 requester=R").hasPrefix("ERR AUTH_FAILED "))
        #expect(try await removed.call("LIST").hasPrefix("ERR AUTH_REQUIRED "))
        // Still the same token: the session goes on, with the new role.
        #expect(try await demoted.call("CREATE foi received=2026-11-20 requester=R").hasPrefix("ERR DENIED "))
        #expect(try await demoted.call("SHOW FOI-2026-000001").hasPrefix("OK"))
        try await harness.stop()
    }

    @Test func aFailedSecondAuthLeavesTheSessionUnauthenticated() async throws {
        let harness = try await ServerHarness()
        let client = try await harness.authenticatedClient(login: "dlee", role: .officer)
        #expect(try await client.call("LIST").hasPrefix("OK "))
        #expect(try await client.call("AUTH 0000").hasPrefix("ERR AUTH_FAILED "))
        #expect(try await client.call("LIST").hasPrefix("ERR AUTH_REQUIRED "))
        #expect(try await client.call("AUTH").hasPrefix("ERR BAD_ARGUMENT "))
        #expect(try await client.call("LIST").hasPrefix("ERR AUTH_REQUIRED "))
        try await harness.stop()
    }

    @Test func aSessionSurvivesChangesToOtherUsers() async throws {
        let harness = try await ServerHarness()
        let client = try await harness.authenticatedClient(login: "emma", role: .officer)
        _ = try await UserStore(pool: harness.pool).add(login: "other", role: .officer)
        try await UserStore(pool: harness.pool).disable(login: "other")
        #expect(try await client.call("LIST").hasPrefix("OK "))
        try await harness.stop()
    }
}

/// Reads reach the server's revocation within the notification's delay, bounded by the
/// one-second re-read; writes never get through (the statement checks the token).
@Suite(.requiresDatabase) struct RevocationRaceTests {
    @Test func aBurstOfWritesRightAfterRevocationWritesNothing() async throws {
        let harness = try await ServerHarness()
        let clients = try await (0..<4).asyncMap { i in try await harness.authenticatedClient(login: "racer\(i)", role: .officer) }
        for (i, client) in clients.enumerated() {
            try await UserStore(pool: harness.pool).disable(login: "racer\(i)")
            #expect(try await client.call("CREATE foi received=2026-11-20 requester=R").hasPrefix("ERR AUTH_FAILED "))
        }
        let count = try await harness.pool.query("SELECT count(*) AS n FROM requests").first?.decode(Int.self, "n")
        #expect(count == 0)
        try await harness.stop()
    }
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var out: [T] = []
        for element in self { out.append(try await transform(element)) }
        return out
    }
}
