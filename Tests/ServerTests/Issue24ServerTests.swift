import Dates
import Foundation
import Postgres
import Store
import TestSupport
import Testing
import Workflow

/// Issue 24 over the protocol: references at any volume, addresses checked at the door.
@Suite(.requiresDatabase) struct Issue24ServerTests {
    @Test func referencesGoPastNineHundredAndNinetyNineThousandUncut() async throws {
        let harness = try await ServerHarness()
        let client = try await harness.authenticatedClient(login: "asmith", role: .officer)
        #expect(try await client.call("CREATE foi received=2026-11-20 requester=R").hasPrefix("OK ref=FOI-2026-000001 "))
        try await harness.pool.query("SELECT setval('foiflow_ref_foi_2026', 999998)")
        var refs: [String] = []
        for _ in 0..<3 {
            let reply = try await client.call("CREATE foi received=2026-11-20 requester=R")
            refs.append(String(reply.split(separator: " ").first { $0.hasPrefix("ref=") }?.dropFirst(4) ?? ""))
        }
        #expect(refs == ["FOI-2026-999999", "FOI-2026-1000000", "FOI-2026-1000001"])
        #expect(try await client.call("SHOW FOI-2026-1000000") == "OK")
        #expect(try await client.call("ACT FOI-2026-1000000 assign to=asmith").hasPrefix("OK ref=FOI-2026-1000000 "))
        // A sequence set back by hand: the taken numbers are skipped, never ERR INTERNAL.
        try await harness.pool.query("SELECT setval('foiflow_ref_foi_2026', 999998)")
        let again = try await client.call("CREATE foi received=2026-11-20 requester=R")
        #expect(again.hasPrefix("OK ref=FOI-2026-1000002 "), "\(again)")
        // Other kinds and years go on as before.
        #expect(try await client.call("CREATE eir received=2026-11-20 requester=R").hasPrefix("OK ref=EIR-2026-000001 "))
        try await harness.stop()
    }

    @Test func theSQLAndSwiftFormatsAgreeAtEveryLength() async throws {
        let harness = try await ServerHarness()
        var number = 1
        for digits in 1...18 {
            let row = try await harness.pool.query("SELECT foiflow_reference('SAR', 2027, \(number)::bigint) AS ref").first
            let sql = try #require(try row?.decode(String.self, "ref"))
            let parsed = try #require(RequestReference(sql), "\(sql)")
            #expect(parsed.number == number && parsed.kind == .sar && parsed.year == 2027 && parsed.description == sql)
            #expect(sql.split(separator: "-").last?.count == max(6, digits))
            if digits < 18 { number = number * 10 + (digits % 9) + 1 }
        }
        try await harness.stop()
    }

    @Test func anAddressIsOneAddressOrNothingIsWritten() async throws {
        let harness = try await ServerHarness()
        let client = try await harness.authenticatedClient(login: "asmith", role: .officer)
        for bad in ["x@example.net, victim@example.com", "x@example.net\\nBcc: v@example.com", "Jane <x@example.net>", "x@example.net victim"] {
            let reply = try await client.call("CREATE foi received=2026-11-20 requester=R email=\"\(bad)\"")
            #expect(reply.hasPrefix("ERR BAD_ARGUMENT email="), "\(bad): \(reply)")
        }
        let right = try await client.call("CREATE foi received=2026-11-20 requester=\"Smith, John\" email=j.smith@example.net contact=email")
        #expect(right.hasPrefix("OK ref=FOI-2026-000001 "), "\(right)")
        #expect(try await harness.pool.query("SELECT count(*)::int AS n FROM requests").first?.decode(Int.self, "n") == 1)
        try await harness.stop()
    }

    func client(_ harness: ServerHarness, _ login: String, _ role: Workflow.Role, team: String?) async throws -> LineClient {
        let token = try #require(try await UserStore(pool: harness.pool).add(login: login, role: role, team: team)?.token)
        let client = try harness.client()
        #expect(try await client.call("AUTH \(token)").hasPrefix("OK "))
        return client
    }

    /// Items 6 and 7 over the protocol, on a held row (SHOW first) and on a fresh read alike.
    @Test func assignAndCreateKeepToTheTeam() async throws {
        let harness = try await ServerHarness(today: "2026-12-01")
        let manager = try await client(harness, "nmanager", .manager, team: "north")
        _ = try await UserStore(pool: harness.pool).add(login: "sofficer", role: .officer, team: "south")
        _ = try await UserStore(pool: harness.pool).add(login: "audit", role: .auditor)
        _ = try await UserStore(pool: harness.pool).add(login: "gone", role: .officer, team: "north")
        try await UserStore(pool: harness.pool).disable(login: "gone")
        #expect(try await manager.call("CREATE foi received=2026-11-02 requester=R team=south").hasPrefix("ERR DENIED "))
        #expect(try await manager.call("CREATE foi received=2026-11-02 requester=R").hasPrefix("OK ref=FOI-2026-000001 "))
        for held in [false, true] {
            if held { #expect(try await manager.call("SHOW FOI-2026-000001") == "OK") }
            for login in ["sofficer", "audit", "gone", "nobody"] {
                let reply = try await manager.call("ACT FOI-2026-000001 assign to=\(login)")
                #expect(reply.hasPrefix("ERR BAD_ARGUMENT "), "\(login) (held: \(held)): \(reply)")
            }
        }
        #expect(try await manager.call("ACT FOI-2026-000001 assign to=nmanager expect=1").hasPrefix("OK ref=FOI-2026-000001 state=in_progress"))
        // A user moved to another team after the row was held is refused by the write itself.
        try await harness.pool.query("UPDATE users SET team = 'south' WHERE login = 'nmanager'")
        let moved = try await manager.call("ACT FOI-2026-000001 assign to=nmanager")
        #expect(moved.hasPrefix("ERR "), "\(moved)")
        try await harness.stop()
    }

    /// Issue 25: the team rule has one home in SQL (`foiflow_sees`) and one in Swift
    /// (`Actor.sees`); they agree on every case.
    @Test func theTeamRuleIsTheSameInSQLAndSwift() async throws {
        let harness = try await ServerHarness()
        for scope in [nil, "north", "south"] as [String?] {
            for team in [nil, "north", "south"] as [String?] {
                let row = try await harness.pool.query("SELECT foiflow_sees(\(scope)::text, \(team)::text) AS sees").first
                #expect(try row?.decode(Bool.self, "sees") == Actor.sees(scope: scope, team: team), "\(scope ?? "-") \(team ?? "-")")
            }
        }
        try await harness.stop()
    }

    /// Every action on another team's request is NOT_FOUND (or DENIED for the system's own),
    /// whatever its fields, and writes nothing.
    @Test func everyActionOnAnotherTeamsRequestIsNotFound() async throws {
        let harness = try await ServerHarness(today: "2026-12-01")
        let north = try await client(harness, "nmanager", .manager, team: "north")
        let south = try await client(harness, "smanager", .manager, team: "south")
        #expect(try await north.call("CREATE foi received=2026-11-02 requester=R").hasPrefix("OK ref=FOI-2026-000001 "))
        for action in Action.actable {
            let reply = try await south.call("ACT FOI-2026-000001 \(action.rawValue)")
            let expected = Role.manager.may(.act(action)) ? "ERR NOT_FOUND " : "ERR DENIED "
            #expect(reply.hasPrefix(expected), "\(action): \(reply)")
        }
        #expect(try await harness.pool.query("SELECT version FROM requests").first?.decode(Int.self, "version") == 1)
        try await harness.stop()
    }
}
