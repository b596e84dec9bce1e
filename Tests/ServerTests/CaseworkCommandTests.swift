import Dates
import Foundation
import Store
import TestSupport
import Testing
import Workflow

/// Refusal grounds, reviews and ICO cases over the protocol (PROTOCOL.md, Casework commands).
@Suite(.requiresDatabase) struct CaseworkCommandTests {
    /// `key=value` of a reply line (values without spaces or quotes).
    func value(_ key: String, in line: String) -> String? {
        line.split(separator: " ").first { $0.hasPrefix("\(key)=") }.map { String($0.dropFirst(key.count + 1)) }
    }

    @Test func everyGroundRoundTripsThroughRespond() async throws {
        let harness = try await ServerHarness()
        let client = try await harness.authenticatedClient(login: "bkhan", role: .manager)
        try client.send("GROUNDS\n")
        let all = try await client.readReply()
        #expect(all.status == "OK count=\(all.records.count)" && all.records.count == 56)
        #expect(
            all.records.contains { $0.hasPrefix("* ground code=s31 title=\"Law enforcement\" kinds=foi,review test=qualified pit=true ncnd=true") })
        try client.send("GROUNDS kind=eir\n")
        #expect(try await client.readReply().status == "OK count=13")
        #expect(try await client.call("GROUNDS kind=mars").hasPrefix("ERR BAD_ARGUMENT "))
        #expect(try await client.call("GROUNDS everything").hasPrefix("ERR BAD_ARGUMENT "))
        for line in all.records {
            let code = try #require(value("code", in: line))
            let kinds = try #require(value("kinds", in: line)).split(separator: ",")
            let kind = try #require(kinds.first { $0 != "review" })
            let created = try await client.call("CREATE \(kind) received=2026-11-02 requester=R")
            #expect(created.hasPrefix("OK "), "\(created)")
            let ref = try #require(value("ref", in: created))
            // s.12 rests on an estimate above the limit (CostTests).
            if code == "s12" { #expect(try await client.call("ACT \(ref) estimate activity=locate hours=19").hasPrefix("OK ")) }
            let responded = try await client.call("ACT \(ref) respond outcome=refused exemptions=\"\(code)\"")
            #expect(responded.hasPrefix("OK ref=\(ref) state=responded "), "\(code): \(responded)")
            try client.send("SHOW \(ref)\n")
            let shown = try await client.readReply().records.first ?? ""
            #expect(shown.contains(" exemptions=\(code) ") || shown.contains(" exemptions=\"\(code)\" "), "\(code): \(shown)")
        }
        let rows = try await harness.pool.query("SELECT count(*) AS n, count(DISTINCT ground) AS g FROM request_grounds WHERE in_response").first
        #expect(try rows?.decode(Int.self, "n") == 56 && rows?.decode(Int.self, "g") == 56)

        // Lenient spellings are one code; each request and ground is one row.
        #expect(try await client.call("CREATE foi received=2026-11-02 requester=R").hasPrefix("OK ref=FOI-2026-000030 "))
        #expect(try await client.call(#"ACT FOI-2026-000030 extend reason=pit exemptions="S.31(1)(a)""#).hasPrefix("OK "))
        #expect(try await client.call(#"ACT FOI-2026-000030 respond outcome=partial exemptions="section 31, s.40 (2), s31""#).hasPrefix("OK "))
        try client.send("SHOW FOI-2026-000030\n")
        #expect(try await client.readReply().records.first?.contains(#" exemptions="s31, s40(2)" "#) == true)
        let cited = try await harness.pool.query(
            """
            SELECT string_agg(g.ground || ':' || g.cited || ':' || g.in_extension || ':' || g.in_response, ' ' ORDER BY g.ground) AS rows
            FROM request_grounds g JOIN requests r ON r.id = g.request_id WHERE r.ref = 'FOI-2026-000030'
            """
        ).first?.decode(String.self, "rows")
        #expect(cited == "s31:s31:true:true s40(2):s40(2):false:true")
        // A wrong-kind ground, an unknown one and an absolute-only FOI extension are refused, naming them.
        #expect(try await client.call("CREATE foi received=2026-11-02 requester=R").hasPrefix("OK ref=FOI-2026-000031 "))
        let wrongKind = try await client.call("ACT FOI-2026-000031 respond outcome=refused exemptions=r12(5)(b)")
        #expect(wrongKind.hasPrefix("ERR BAD_ARGUMENT ") && wrongKind.contains("r12(5)(b)") && wrongKind.contains("not foi"), "\(wrongKind)")
        let unknown = try await client.call("ACT FOI-2026-000031 respond outcome=refused exemptions=s45")
        #expect(unknown.hasPrefix("ERR BAD_ARGUMENT ") && unknown.contains("did you mean s44"), "\(unknown)")
        let absolute = try await client.call("ACT FOI-2026-000031 extend reason=pit exemptions=\"s40(2), s21\"")
        #expect(absolute.hasPrefix("ERR BAD_ARGUMENT ") && absolute.contains("qualified"), "\(absolute)")
        #expect(try await client.call("ACT FOI-2026-000031 respond outcome=ncnd").hasPrefix("ERR BAD_ARGUMENT "))
        let untouched = try await harness.pool.query("SELECT version FROM requests WHERE ref = 'FOI-2026-000031'").first?.decode(Int.self, "version")
        #expect(untouched == 1)
        try await harness.stop()
    }

    @Test func reviewsAreAnsweredAndShownOnTheirParent() async throws {
        let harness = try await ServerHarness(today: "2026-11-23")
        let client = try await harness.authenticatedClient(login: "asmith", role: .officer)
        #expect(try await client.call("CREATE foi received=2026-01-05 requester=R").hasPrefix("OK ref=FOI-2026-000001 "))
        #expect(try await client.call("ACT FOI-2026-000001 respond outcome=refused exemptions=s31 on=2026-01-30").hasPrefix("OK "))
        // Asked for within 40 working days of the response, then long after it.
        let inTime = try await client.call("CREATE review received=2026-02-10 requester=R parent=FOI-2026-000001")
        #expect(inTime.hasPrefix("OK ref=REV-2026-000001 ") && !inTime.contains("requested_late"))
        let late = try await client.call("CREATE review received=2026-04-20 requester=R parent=FOI-2026-000001")
        #expect(late.hasPrefix("OK ref=REV-2026-000002 ") && late.hasSuffix(" requested_late=true"), "\(late)")
        try client.send("SHOW REV-2026-000002\n")
        #expect(try await client.readReply().records.first?.contains(" requested_late=true") == true)
        #expect(try await client.call("CREATE review received=2026-02-10 requester=R parent=SAR-2026-000001").hasPrefix("ERR BAD_ARGUMENT "))
        #expect(try await client.call("CREATE review received=2026-02-10 requester=R parent=FOI-2026-000099").hasPrefix("ERR NOT_FOUND "))
        // Answered with a review outcome; overturned needs its reason.
        #expect(try await client.call("ACT REV-2026-000001 respond outcome=granted").hasPrefix("ERR BAD_ARGUMENT "))
        #expect(try await client.call("ACT REV-2026-000001 respond outcome=overturned").hasPrefix("ERR BAD_ARGUMENT "))
        #expect(
            try await client.call(#"ACT REV-2026-000001 respond outcome=overturned reason="searches missed the stop-search archive" on=2026-03-02"#)
                .hasPrefix("OK ref=REV-2026-000001 state=responded "))
        #expect(try await client.call("ACT REV-2026-000002 respond outcome=upheld-in-part exemptions=S.31 on=2026-05-01").hasPrefix("OK "))
        #expect(
            try await client.call("CREATE ico received=2026-05-20 parent=FOI-2026-000001 ico_ref=IC-77 due=2026-06-17").hasPrefix(
                "OK ref=ICO-2026-000001 "))
        // The parent: still answered (nothing reopened), its reviews and ICO case listed, the outcomes in its history.
        try client.send("SHOW FOI-2026-000001\n")
        let parent = try await client.readReply().records.first ?? ""
        #expect(parent.contains(" state=responded ") && parent.contains(" version=4 "), "\(parent)")
        #expect(parent.contains(" reviews=REV-2026-000001,REV-2026-000002") && parent.contains(" ico=ICO-2026-000001"), "\(parent)")
        try client.send("HISTORY FOI-2026-000001\n")
        let history = try await client.readReply()
        #expect(history.status == "OK count=4")
        #expect(
            history.records[2].contains(
                #"action=review-outcome from=responded to=responded due=2026-02-02 ref=REV-2026-000001 outcome=overturned reason="searches missed the stop-search archive""#
            ),
            "\(history.records)")
        #expect(
            history.records[3].contains("action=review-outcome from=responded to=responded due=2026-02-02 ref=REV-2026-000002 outcome=upheld-in-part")
        )
        // Nobody writes the trail by hand.
        #expect(try await client.call("ACT FOI-2026-000001 review-outcome ref=REV-2026-000001 outcome=upheld").hasPrefix("ERR "))
        try await harness.stop()
    }

    /// CASEWORK-RULES 3.3: a decision notice of 3 Mar 2026 is appealable to 31 Mar; its steps are due 7 Apr.
    @Test func anICOCaseFromNotificationToCompliance() async throws {
        let harness = try await ServerHarness(today: "2026-11-23")
        let client = try await harness.authenticatedClient(login: "asmith", role: .officer)
        #expect(try await client.call("CREATE foi received=2025-11-03 requester=R").hasPrefix("OK ref=FOI-2025-000001 "))
        #expect(try await client.call("CREATE ico received=2026-01-12 parent=FOI-2025-000001 due=2026-02-09").hasPrefix("ERR BAD_ARGUMENT "))
        #expect(
            try await client.call("CREATE ico received=2026-01-12 parent=FOI-2025-000001 ico_ref=IC-1 due=2026-01-09").hasPrefix("ERR BAD_ARGUMENT "))
        #expect(try await client.call("DEADLINE ico received=2026-01-12").hasPrefix("ERR BAD_ARGUMENT "))
        #expect(
            try await client.call("CREATE ico received=2026-01-12 parent=FOI-2025-000001 ico_ref=IC-401234-X9Z8 due=2026-02-09")
                == "OK ref=ICO-2026-000001 state=received due=2026-02-09 version=1")
        try client.send("SHOW ICO-2026-000001\n")
        let shown = try await client.readReply().records.first ?? ""
        #expect(shown.contains(" parent=FOI-2025-000001 ") && shown.contains(" ico_ref=IC-401234-X9Z8"), "\(shown)")
        #expect(try await client.call("ACT ICO-2026-000001 submitted on=2026-02-06") == "OK ref=ICO-2026-000001 state=with_ico version=2")
        #expect(
            try await client.call(#"ACT ICO-2026-000001 decision on=2026-03-03 outcome=upheld steps="disclose the list" dn_ref=IC-401234-DN"#)
                == "OK ref=ICO-2026-000001 state=steps_due due=2026-04-07 version=3")
        try client.send("SHOW ICO-2026-000001\n")
        #expect(try await client.readReply().records.first?.contains(" appeal_by=2026-03-31") == true)
        #expect(try await client.call("ACT ICO-2026-000001 appealed on=2026-04-01 by=authority").hasPrefix("ERR INVALID_TRANSITION "))
        #expect(
            try await client.call("ACT ICO-2026-000001 appealed on=2026-03-30 by=authority") == "OK ref=ICO-2026-000001 state=at_tribunal version=4")
        #expect(
            try await client.call(#"ACT ICO-2026-000001 tribunal on=2026-09-15 outcome=dismissed steps="disclose the list""#)
                == "OK ref=ICO-2026-000001 state=steps_due due=2026-10-20 version=5")
        try client.send("EXPLAIN ICO-2026-000001\n")
        let explained = try await client.readReply()
        #expect(explained.status.hasPrefix("OK ref=ICO-2026-000001 due=2026-10-20 "))
        #expect(explained.records.first == #"* day date=2026-01-12 skip="before the tribunal decision" note=received"#)
        #expect(
            explained.records.last == #"* day date=2026-10-20 note="tribunal decision + 35 calendar days; due""#, "\(explained.records.last ?? "")")
        #expect(try await client.call("ACT ICO-2026-000001 complied on=2026-10-19") == "OK ref=ICO-2026-000001 state=closed version=6")
        try client.send("HISTORY FOI-2025-000001\n")
        let trail = try await client.readReply().records.filter { $0.contains("action=ico-outcome") }
        #expect(trail.count == 4)
        #expect(trail.first?.contains("ref=ICO-2026-000001 step=decision outcome=upheld") == true)
        #expect(trail.first?.contains("appeal_by=2026-03-31 steps_due=2026-04-07") == true, "\(trail)")
        #expect(trail.last?.contains("step=complied") == true)
        // An ICO case writes no letters to the requester.
        try client.send("LETTERS ICO-2026-000001\n")
        #expect(try await client.readReply().status == "OK count=0")
        try await harness.stop()
    }

    /// An ICO steps deadline is a due date like any other: in RISK and in the nightly escalation.
    @Test func icoDueDatesAppearInRiskAndEscalate() async throws {
        let harness = try await ServerHarness(today: "2026-04-01")
        let client = try await harness.authenticatedClient(login: "asmith", role: .officer)
        #expect(try await client.call("CREATE foi received=2025-11-03 requester=R").hasPrefix("OK ref=FOI-2025-000001 "))
        #expect(try await client.call("CREATE ico received=2026-01-12 parent=FOI-2025-000001 ico_ref=IC-9 due=2026-02-09").hasPrefix("OK "))
        #expect(try await client.call("ACT ICO-2026-000001 assign to=asmith").hasPrefix("OK "))
        #expect(try await client.call("ACT ICO-2026-000001 decision on=2026-03-03 outcome=partly-upheld steps=\"disclose\"").hasPrefix("OK "))
        try client.send("RISK within=5\n")
        let risk = try await client.readReply()
        // Due Tue 7 Apr; Good Friday and Easter Monday do not count: 2 working days left.
        #expect(
            risk.records.contains {
                $0.contains("ref=ICO-2026-000001 kind=ico state=steps_due") && $0.contains(" due=2026-04-07 ") && $0.contains(" days_left=2")
            }, "\(risk.records)")
        let escalation = EscalationStore(pool: harness.pool, calendars: CalendarCache(store: HolidayStore(pool: harness.pool), maxAge: .zero))
        let report = try await escalation.run(asOf: try #require(CivilDate(iso: "2026-04-01")))
        #expect(report.escalated.contains { $0.ref == "ICO-2026-000001" && $0.level == .warning }, "\(report.escalated)")
        // The requester of the original request gets progress updates; the ICO case none.
        #expect(!report.updatedRefs.contains("ICO-2026-000001"))
        let overdue = try await escalation.run(asOf: try #require(CivilDate(iso: "2026-04-08")))
        #expect(overdue.escalated.contains { $0.ref == "ICO-2026-000001" && $0.level == .overdue }, "\(overdue.escalated)")
        try await harness.stop()
    }
}
