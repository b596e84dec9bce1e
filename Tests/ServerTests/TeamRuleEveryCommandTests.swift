import Foundation
import Store
import TestSupport
import Testing
import Workflow

@testable import Server

/// Issue 25: the team rule holds for every protocol command. The table below names each
/// command in `CommandTable` with a line aimed at another team's request, or says why it
/// carries no request's data; a command added to the table fails this test until it is here.
@Suite(.requiresDatabase) struct TeamRuleEveryCommandTests {
    /// How each command is checked: `ref` lines must be NOT_FOUND; `listing` lines must not
    /// mention the other team's request or its lead; `unscoped` says why the rule does not apply.
    enum Check {
        case ref(String)
        case listing(String)
        case unscoped(String)
    }

    static let north = "FOI-2026-000001"

    static let checks: [String: Check] = [
        "PING": .unscoped("no request data"), "HELLO": .unscoped("no request data"), "QUIT": .unscoped("no request data"),
        "AUTH": .unscoped("no request data"), "HELP": .unscoped("the protocol's own syntax"), "WORKDAY": .unscoped("the calendar only"),
        "DEADLINE": .unscoped("the calendar only"),
        "GROUNDS": .unscoped("the refusal grounds table"),
        "STATS": .unscoped("the unit's published figures, counts over every team by design (no reference, no requester)"),
        "CREATE": .ref("CREATE review received=2026-11-20 requester=R parent=\(north)"),
        "SHOW": .ref("SHOW \(north)"), "HISTORY": .ref("HISTORY \(north)"), "EXPLAIN": .ref("EXPLAIN \(north)"),
        "LETTERS": .ref("LETTERS \(north)"), "LETTER": .ref("LETTER 1"), "ACT": .ref("ACT \(north) assign to=smanager"),
        "REQUESTER": .ref("REQUESTER \(north) reason=aggregation"), "COST": .ref("COST \(north)"),
        "LIST": .listing("LIST"), "SEARCH": .listing("SEARCH text=\(north)"), "RISK": .listing("RISK within=60"),
    ]

    @Test func everyCommandInTheTableIsCheckedHere() {
        #expect(Set(CommandTable.commands.map(\.name)) == Set(Self.checks.keys))
    }

    @Test func everyCommandKeepsToTheTeam() async throws {
        let harness = try await ServerHarness(today: "2026-12-01")
        func client(_ login: String, team: String) async throws -> LineClient {
            let token = try #require(try await UserStore(pool: harness.pool).add(login: login, role: .manager, team: team)?.token)
            let client = try harness.client()
            #expect(try await client.call("AUTH \(token)").hasPrefix("OK "))
            return client
        }
        let north = try await client("nmanager", team: "north")
        let south = try await client("smanager", team: "south")
        #expect(try await north.call("CREATE foi received=2026-11-02 requester=R email=r@example.com").hasPrefix("OK ref=\(Self.north) "))
        #expect(try await north.call("ACT \(Self.north) assign to=nmanager").hasPrefix("OK "))
        for spec in CommandTable.commands {
            switch Self.checks[spec.name] {
            case .ref(let line):
                try south.send(line + "\n")
                let reply = try await south.readReply()
                #expect(reply.status.hasPrefix("ERR NOT_FOUND "), "\(spec.name): \(reply.status)")
            case .listing(let line):
                try south.send(line + "\n")
                let reply = try await south.readReply()
                let text = ([reply.status] + reply.records).joined(separator: "\n")
                #expect(reply.status.hasPrefix("OK") && !text.contains(Self.north) && !text.contains("nmanager"), "\(spec.name): \(text)")
            case .unscoped, nil:
                continue
            }
        }
        #expect(try await harness.pool.query("SELECT count(*)::int AS n FROM requests").first?.decode(Int.self, "n") == 1)
        try await harness.stop()
    }
}
