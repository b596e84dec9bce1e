import Foundation
import TestSupport
import Testing
import Workflow

/// Issue 25: the team rule (`foiflow_sees`) holds for every action taken from the CLI, as it
/// does over the protocol: another team's request is not found, whatever the action, and
/// nothing is written. The list of actions comes from the transition table, so a new action
/// is covered here without a word.
@Suite(.requiresDatabase) struct TeamRuleCLITests {
    @Test func everyActionOnAnotherTeamsRequestIsNotFoundFromTheCLI() async throws {
        let db = try await CLIDatabase.create(
            "teamrulecli", users: [TestUser("nmanager", "manager", "--team", "north"), TestUser("smanager", "manager", "--team", "south")]
        ).env()
        let created = try await Foiflow.run(
            ["request", "create", "foi", "received=2026-11-02", "requester=R", "--as", "nmanager"], environment: db)
        #expect(created.status == 0 && created.stdout.contains("FOI-2026-000001"), "\(created.stderr)")
        for action in Action.actable {
            let run = try await Foiflow.run(["request", "act", "FOI-2026-000001", action.rawValue, "--as", "smanager"], environment: db)
            // The system's own actions are refused before the request is looked up.
            let expected: Int32 = Role.manager.may(.act(action)) ? 3 : 6
            #expect(run.status == expected, "\(action): \(run.status) \(run.stderr)")
        }
        #expect(try await TestDatabase.rows(db, "SELECT version::text FROM requests") == ["1"])
        #expect(try await TestDatabase.rows(db, "SELECT count(*)::text FROM request_events") == ["1"])
        // The request's own team acts on it.
        let own = try await Foiflow.run(["request", "act", "FOI-2026-000001", "assign", "to=nmanager", "--as", "nmanager"], environment: db)
        #expect(own.status == 0, "\(own.stderr)")
    }
}
