import Dates
import Foundation
import Letters
import Postgres
import Statistics
import Store
import TestSupport
import Testing
import Workflow

@testable import Server

/// Issue 28 over the line protocol: HELP, amending a request held by the server, and the
/// smaller things put right.
@Suite(.requiresDatabase) struct OperationServerTests {
    @Test func helpListsEveryCommandAndEachActionWithItsFields() async throws {
        // A long AUTH limit: the client stays unauthenticated throughout, and on a loaded machine
        // the default ten seconds can pass before its last HELP.
        let harness = try await ServerHarness(configuration: .init(authTimeout: .seconds(300)))
        // Before AUTH: a person finding their way needs it first.
        let client = try harness.client()
        try client.send("HELP\n")
        let all = try await client.readReply()
        #expect(all.status == "OK count=\(CommandTable.commands.count)", "\(all.status)")
        for spec in CommandTable.commands {
            #expect(all.records.contains { $0.hasPrefix("* command name=\(spec.name) ") }, "\(spec.name) in \(all.records)")
        }
        #expect(all.records.contains { $0.contains("name=ACT") && $0.contains(#"usage="ACT ref action [expect=VERSION] [field=value ...]""#) })

        try client.send("HELP act\n")
        let act = try await client.readReply()
        #expect(act.status.hasPrefix("OK usage=") && act.status.contains("count=\(Action.actable.count)"), "\(act.status)")
        let respond = try #require(act.records.first { $0.hasPrefix("* action name=respond ") })
        #expect(
            respond.contains(#"fields="outcome= [exemptions= on= reason= public_interest= publish= publish_title= publish_reason=]""#), "\(respond)")
        #expect(act.records.contains { $0.hasPrefix("* values field=outcome ") && $0.contains("granted") })
        // Only what a person may take: not the system's own actions.
        #expect(!act.records.contains { $0.contains("name=recalculate") || $0.contains("name=anonymised") })

        try client.send("HELP CREATE\n")
        let create = try await client.readReply()
        #expect(create.records.count == 7 && create.records.contains { $0.contains("name=ico") && $0.contains("ico_ref=") }, "\(create.records)")
        #expect(try await client.call("HELP SHOW").hasPrefix(#"OK usage="SHOW ref""#))
        #expect(try await client.call("HELP NOPE").hasPrefix("ERR BAD_ARGUMENT no command NOPE"))
        let actShow = try await client.call("HELP ACT SHOW")
        #expect(actShow.hasPrefix("ERR BAD_ARGUMENT"), "\(actShow)")
        try await harness.stop()
    }

    @Test func anAmendedRequestsNextLetterUsesTheNewDetails() async throws {
        let harness = try await ServerHarness(unit: UnitContact(name: "Disclosure Unit", email: "foi@example.org"))
        let officer = try await harness.authenticatedClient(login: "asmith", role: .officer)
        #expect(try await officer.call("CREATE foi received=2026-11-20 requester=Jo email=jo@example.org").hasPrefix("OK "))
        // The server holds the row it wrote; the amendment must reach what it holds.
        #expect(try await officer.call("ACT FOI-2026-000001 amend email=jo.b@example.org requester=\"Jo Bloggs\"").hasPrefix("OK "))
        #expect(try await officer.call("ACT FOI-2026-000001 clarify note=\"Which year?\"").hasPrefix("OK "))
        try officer.send("LETTERS FOI-2026-000001\n")
        let letters = try await officer.readReply().records
        #expect(letters.count == 2 && letters[1].contains("template=clarification") && letters[1].contains("status=queued"), "\(letters)")
        try officer.send("LETTER 2\n")
        let letter = try #require(try await officer.readReply().records.first)
        #expect(letter.contains("to=jo.b@example.org") && letter.contains("Dear Jo Bloggs"), "\(letter)")
        try officer.send("HISTORY FOI-2026-000001\n")
        let history = try await officer.readReply().records
        #expect(history.contains { $0.contains("action=amend") && $0.contains("email=jo.b@example.org") }, "\(history)")
        // The event itself keeps no personal data: the value lives in its erasable notes.
        let stored = try await harness.pool.query(
            "SELECT e.fields::text AS f FROM request_events e JOIN requests r ON r.id = e.request_id WHERE r.ref = 'FOI-2026-000001' AND e.action = 'amend'"
        ).first?.decode(String.self, "f")
        #expect(stored?.contains("jo.b@example.org") == false && stored?.contains("Bloggs") == false, "\(stored ?? "")")

        // A team moves only by a manager's hand (an officer is refused, nothing changes).
        #expect(try await officer.call("ACT FOI-2026-000001 amend team=south").hasPrefix("ERR DENIED "))
        let manager = try await harness.authenticatedClient(login: "bkhan", role: .manager)
        #expect(try await manager.call("ACT FOI-2026-000001 amend team=south").hasPrefix("OK "))
        try manager.send("SHOW FOI-2026-000001\n")
        #expect(try await manager.readReply().records.first?.contains("team=south") == true)
        try await harness.stop()
    }

    @Test func theSmallerThingsPutRight() async throws {
        let harness = try await ServerHarness()
        let officer = try await harness.authenticatedClient(login: "asmith", role: .officer)
        // A deadline past the calendar's end names the date typed, not one nobody typed.
        let late = try await officer.call("DEADLINE foi received=2100-12-31")
        #expect(late.hasPrefix("ERR BAD_ARGUMENT received=2100-12-31: a deadline counted from 2100-12-31 falls after 2100-12-31"), "\(late)")
        #expect(!late.contains("2101"))
        // A role refused says so in words.
        let auditor = try await harness.authenticatedClient(login: "audit", role: .auditor)
        #expect(try await officer.call("CREATE foi received=2026-11-20 requester=Jo").hasPrefix("OK "))
        #expect(
            try await auditor.call("ACT FOI-2026-000001 contacted method=phone")
                == "ERR DENIED role auditor may not take the action 'contacted' on a request")
        // Two ICO cases with one ICO reference: the second is refused, naming the first.
        #expect(try await officer.call("ACT FOI-2026-000001 respond outcome=granted").hasPrefix("OK "))
        let first = try await officer.call("CREATE ico received=2026-11-25 parent=FOI-2026-000001 ico_ref=IC-1234-X due=2026-12-20")
        #expect(first.hasPrefix("OK ref=ICO-2026-000001"), "\(first)")
        let second = try await officer.call("CREATE ico received=2026-11-26 parent=FOI-2026-000001 ico_ref=\" ic-1234-x\" due=2026-12-21")
        #expect(second == "ERR CONFLICT an ICO case with ico_ref= ic-1234-x exists already: ICO-2026-000001", "\(second)")
        try await harness.stop()
    }

    @Test func everyMonthOfThePeriodIsInTheChartEvenWithNothingReceived() throws {
        let months = StatsStore.everyMonth(
            from: try #require(CivilDate(iso: "2026-11-01")), to: try #require(CivilDate(iso: "2027-02-28")),
            with: [MonthFigures(month: "2026-12")])
        #expect(months.map(\.month) == ["2026-11", "2026-12", "2027-01", "2027-02"])
    }
}
