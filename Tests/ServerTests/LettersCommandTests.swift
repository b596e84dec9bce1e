import Foundation
import Letters
import Store
import TestSupport
import Testing

/// Letters over the protocol (PROTOCOL.md, Keeping the requester informed): CREATE writes
/// the acknowledgement in the same statement; LETTERS and LETTER read them back.
@Suite(.requiresDatabase) struct LettersCommandTests {
    let unit = UnitContact(name: "Disclosure Unit", email: "foi@example.org", phone: "01234 567890")

    @Test func anEmailRequestIsAcknowledgedWithItsReferenceDueDateAndLead() async throws {
        let harness = try await ServerHarness(unit: unit)
        let client = try await harness.authenticatedClient(login: "asmith", role: .officer)
        #expect(
            try await client.call(#"CREATE foi received=2026-11-20 requester="Jane O'Neil" contact=email email=jane@example.org"#)
                .hasPrefix("OK ref=FOI-2026-000001 "))
        try client.send("LETTERS FOI-2026-000001\n")
        let list = try await client.readReply()
        #expect(list.status == "OK count=1")
        let line = try #require(list.records.first)
        for part in ["* letter id=", " template=acknowledgement", " channel=email", " status=queued", " created=2026-", "subject="] {
            #expect(line.contains(part), "\(line) lacks \(part)")
        }
        let id = try #require(line.split(separator: " ").first { $0.hasPrefix("id=") }?.dropFirst(3))
        try client.send("LETTER \(id)\n")
        let letter = try await client.readReply()
        #expect(letter.status == "OK")
        let whole = try #require(letter.records.first)
        for part in [
            "ref=FOI-2026-000001", "to=jane@example.org", "FOI-2026-000001", "2026-12-21", "Disclosure Unit", "foi@example.org, 01234 567890",
            #"Jane O'Neil"#,
        ] {
            #expect(whole.contains(part), "letter lacks \(part): \(whole)")
        }
        #expect(!whole.contains("[[ref-"))
        try await harness.stop()
    }

    @Test func postPhoneAndMissingValuesBecomeTasksSayingWhy() async throws {
        let harness = try await ServerHarness(unit: unit)
        let client = try await harness.authenticatedClient(login: "asmith", role: .officer)
        #expect(try await client.call(#"CREATE sar received=2026-11-20 requester=R contact=post address="1 High St""#).hasPrefix("OK "))
        // Asking to be telephoned needs a number, which the task gives.
        #expect(try await client.call("CREATE foi received=2026-11-20 requester=R contact=phone").hasPrefix("ERR BAD_ARGUMENT"))
        #expect(try await client.call(#"CREATE foi received=2026-11-20 requester=R contact=phone phone="01234 567890""#).hasPrefix("OK "))
        #expect(try await client.call("CREATE foi received=2026-11-20 requester=R contact=email").hasPrefix("OK "))
        for (ref, note) in [
            ("SAR-2026-000001", #"note="send by post""#), ("FOI-2026-000001", #"note="telephone the requester on 01234 567890""#),
            ("FOI-2026-000002", #"note="no e-mail address""#),
        ] {
            try client.send("LETTERS \(ref)\n")
            let line = try #require(try await client.readReply().records.first)
            #expect(line.contains("status=task") && line.contains(note), "\(ref): \(line)")
        }
        // The lead officer sees the tasks on the breach-risk list.
        try client.send("RISK within=40\n")
        let risk = try await client.readReply().records
        #expect(risk.count == 3 && risk.allSatisfy { $0.contains(" tasks=1") }, "\(risk)")
        try await harness.stop()
    }

    @Test func noLeadContactMeansATaskNamingWhatIsMissing() async throws {
        let harness = try await ServerHarness()  // no unit contact configured
        let client = try await harness.authenticatedClient(login: "asmith", role: .officer)
        #expect(try await client.call("CREATE foi received=2026-11-20 requester=R email=r@example.org").hasPrefix("OK "))
        try client.send("LETTERS FOI-2026-000001\n")
        let line = try #require(try await client.readReply().records.first)
        #expect(line.contains("status=task") && line.contains(#"note="missing: the lead officer's name"#), "\(line)")
        try await harness.stop()
    }

    @Test func aReplayOrAFailedCreateWritesNoLetter() async throws {
        let harness = try await ServerHarness(unit: unit)
        let client = try await harness.authenticatedClient(login: "asmith", role: .officer)
        let create = "CREATE foi received=2026-11-20 requester=R email=r@example.org idempotency=k1"
        #expect(try await client.call(create).hasPrefix("OK ref=FOI-2026-000001 "))
        #expect(try await client.call(create).hasSuffix("replayed=true"))
        #expect(try await client.call("CREATE foi received=2099-01-01 requester=R").hasPrefix("ERR BAD_ARGUMENT "))
        let count = try await harness.pool.query("SELECT count(*) AS n FROM letters").first?.decode(Int.self, "n")
        #expect(count == 1)
        #expect(try await client.call("LETTERS FOI-2026-000099").hasPrefix("ERR NOT_FOUND "))
        #expect(try await client.call("LETTER 999").hasPrefix("ERR NOT_FOUND "))
        #expect(try await client.call("LETTER abc").hasPrefix("ERR BAD_ARGUMENT "))
        try await harness.stop()
    }

    /// Each action behind a letter writes it, in the same statement; a refused action writes none.
    @Test func everyLetterTypeIsWrittenByItsAction() async throws {
        let harness = try await ServerHarness(unit: unit)
        let client = try await harness.authenticatedClient(login: "bkhan", role: .manager)
        _ = try await UserStore(pool: harness.pool).add(
            login: "asmith", role: .officer, name: "Alex Smith", email: "a.smith@example.org", phone: "01234 567890")
        func letters(_ ref: String) async throws -> [String] {
            try client.send("LETTERS \(ref)\n")
            return try await client.readReply().records
        }
        func body(_ line: String) async throws -> String {
            let id = line.split(separator: " ").first { $0.hasPrefix("id=") }?.dropFirst(3) ?? ""
            try client.send("LETTER \(id)\n")
            return try await client.readReply().records.first ?? ""
        }
        let email = "requester=R email=r@example.org"
        #expect(try await client.call("CREATE foi received=2026-11-20 \(email)").hasPrefix("OK ref=FOI-2026-000001 "))
        #expect(try await client.call("ACT FOI-2026-000001 assign to=asmith").hasPrefix("OK "))
        #expect(try await client.call("ACT FOI-2026-000001 clarify on=2026-11-23 note=\"Which year?\"").hasPrefix("OK "))
        #expect(try await client.call("ACT FOI-2026-000001 clarified on=2026-11-24").hasPrefix("OK "))
        #expect(try await client.call("ACT FOI-2026-000001 fee-notice on=2026-11-25 amount=45.00").hasPrefix("OK "))
        #expect(try await client.call("ACT FOI-2026-000001 fee-paid on=2026-11-26").hasPrefix("OK "))
        #expect(try await client.call("ACT FOI-2026-000001 extend reason=\"weighing the public interest\" exemptions=s31 days=5").hasPrefix("OK "))
        // A refusal names its grounds; one with no reasons cannot be sent: a task naming what it lacks.
        #expect(try await client.call("ACT FOI-2026-000001 respond outcome=refused").hasPrefix("ERR BAD_ARGUMENT outcome=refused needs exemptions="))
        #expect(try await client.call("ACT FOI-2026-000001 respond outcome=refused exemptions=S.31").hasPrefix("OK "))
        #expect(try await client.call("ACT FOI-2026-000001 reopen").hasPrefix("OK "))
        #expect(
            try await client.call(
                #"ACT FOI-2026-000001 respond outcome=refused exemptions="s31, s40(2)" reason="it would prejudice an investigation""#
            ).hasPrefix("OK "))
        let all = try await letters("FOI-2026-000001")
        #expect(
            all.map { $0.split(separator: " ").first { $0.hasPrefix("template=") } ?? "" } == [
                "template=acknowledgement", "template=clarification", "template=fee-notice", "template=extension", "template=refusal",
                "template=refusal",
            ])
        #expect(all[4].contains("status=task") && all[4].contains(#"note="missing: reasons""#))
        let clarification = try await body(all[1])
        #expect(
            clarification.contains("Which year?") && clarification.contains("Alex Smith")
                && clarification.contains("a.smith@example.org, 01234 567890"))
        #expect(try await body(all[2]).contains("£45.00"))
        let extensionLetter = try await body(all[3])
        #expect(extensionLetter.contains("weighing the public interest") && extensionLetter.contains("s31"))
        let refusal = try await body(all[5])
        for part in ["s31, s40(2)", "it would prejudice an investigation", "internal review", "Information Commissioner", "s.50"] {
            #expect(refusal.contains(part), "refusal lacks \(part)")
        }
        #expect(all[5].contains("status=queued"))
        // A granted response, a transfer, a review outcome.
        #expect(try await client.call("CREATE foi received=2026-11-20 \(email)").hasPrefix("OK ref=FOI-2026-000002 "))
        #expect(try await client.call("ACT FOI-2026-000002 respond outcome=granted").hasPrefix("OK "))
        #expect(try await letters("FOI-2026-000002").last?.contains("template=response") == true)
        #expect(try await client.call("CREATE foi received=2026-11-20 \(email)").hasPrefix("OK ref=FOI-2026-000003 "))
        #expect(try await client.call("ACT FOI-2026-000003 transfer to=\"Another Force\"").hasPrefix("OK "))
        #expect(try await body(try await letters("FOI-2026-000003").last ?? "").contains("Another Force"))
        #expect(try await client.call("CREATE review received=2026-11-20 parent=FOI-2026-000001 \(email)").hasPrefix("OK ref=REV-2026-000001 "))
        #expect(try await client.call("ACT REV-2026-000001 respond outcome=upheld").hasPrefix("OK "))
        #expect(try await letters("REV-2026-000001").last?.contains("template=review-outcome") == true)
        try await harness.stop()
    }

    /// A post letter is a task until `contacted letter=ID`; contact moves `update_due`.
    @Test func contactedClosesATaskAndMovesUpdateDue() async throws {
        let harness = try await ServerHarness(unit: unit)
        let client = try await harness.authenticatedClient(login: "asmith", role: .officer)
        #expect(try await client.call(#"CREATE foi received=2026-11-20 requester=R contact=post address="1 High St""#).hasPrefix("OK "))
        try client.send("SHOW FOI-2026-000001\n")
        #expect(try await client.readReply().records.first?.contains("update_due=2026-12-20") == true)
        try client.send("LETTERS FOI-2026-000001\n")
        let task = try #require(try await client.readReply().records.first)
        #expect(task.contains("status=task"))
        let id = try #require(task.split(separator: " ").first { $0.hasPrefix("id=") }?.dropFirst(3))
        #expect(try await client.call("ACT FOI-2026-000001 contacted method=fax").hasPrefix("ERR BAD_ARGUMENT "))
        #expect(try await client.call("ACT FOI-2026-000001 contacted method=post letter=999").hasPrefix("ERR NOT_FOUND "))
        #expect(try await client.call("ACT FOI-2026-000001 contacted method=post letter=\(id) on=2026-11-25").hasPrefix("OK "))
        try client.send("LETTERS FOI-2026-000001\n")
        let done = try #require(try await client.readReply().records.first)
        #expect(done.contains("status=done") && done.contains(" sent=20"), "\(done)")
        #expect(try await client.call("ACT FOI-2026-000001 contacted method=post letter=\(id)").hasPrefix("ERR INVALID_TRANSITION "))
        try client.send("SHOW FOI-2026-000001\n")
        #expect(try await client.readReply().records.first?.contains("update_due=2026-12-25") == true)
        // A later contact moves it again; RISK carries it too.
        #expect(try await client.call("ACT FOI-2026-000001 contacted method=phone on=2026-11-30").hasPrefix("OK "))
        try client.send("RISK within=40\n")
        #expect(try await client.readReply().records.first?.contains("update_due=2026-12-30") == true)
        try await harness.stop()
    }
}
