import Dates
import Deadlines
import Foundation
import Postgres

/// Loads `count` requests with their histories (create; an extension for some; the response,
/// with its grounds; a close for a third) with COPY. Every 20th is open (row i, counted from 1,
/// is open when i % 20 == 0), the rest answered (84% by the statutory date, some FOI and EIR
/// within an extension, the rest late), so an open request's id is a multiple of 20 and its
/// ref is `Loader.ref(i)`.
enum Loader {
    static let kinds = ["foi", "foi", "foi", "sar", "eir", "complaint"]

    /// The ref of row `i` (1-based): per kind and year numbering, as foiflow hands out.
    static func ref(_ i: Int) -> String {
        let kind = kinds[i % kinds.count]
        let prefix = kind == "complaint" ? "CMP" : kind.uppercased()
        let year = 2016 + (i / 100_000)
        return "\(prefix)-\(year)-" + String(format: "%06d", i)
    }

    static func load(url: String, count: Int) throws {
        let connection = try PostgresConnection(url: url)
        defer { connection.close() }
        let existing = try connection.query("SELECT count(*) AS n FROM requests").first?.decode(Int.self, "n") ?? 0
        if existing >= count {
            print("load: \(existing) requests already there")
            return
        }
        let calculator = DeadlineCalculator()
        let start = Date()
        try connection.query("TRUNCATE requests CASCADE")
        try connection.query("ALTER SEQUENCE requests_id_seq RESTART WITH 1")
        let base = CivilDate(iso: "2016-01-04")?.dayNumber ?? 0
        let today = CivilDate(iso: "2026-11-23") ?? CivilDate(dayNumber: 0)
        var rows: [String] = []
        rows.reserveCapacity(count)
        var events: [String] = []
        events.reserveCapacity(count * 2)
        var grounds: [String] = []
        for i in 1...count {
            let kind = kinds[i % kinds.count]
            let year = 2016 + (i / 100_000)
            let open = i % 20 == 0
            // Open requests were received in the last few weeks (every 400th months ago: the
            // backlog); the rest any day of their year.
            let received =
                open
                ? (i % 400 == 0
                    ? CivilDate(dayNumber: (CivilDate(iso: "2025-06-02")?.dayNumber ?? 0) + (i / 400) % 500)
                    : CivilDate(dayNumber: (CivilDate(iso: "2026-10-01")?.dayNumber ?? 0) + (i / 20) % 60))
                : CivilDate(dayNumber: base + (year - 2016) * 365 + (i % 360))
            let kindValue = RequestKind(rawValue: kind) ?? .foi
            let calendarID = Authority().defaultCalendar(for: kindValue)
            let deadline = try calculator.deadline(kind: kindValue, start: received)
            let calendar = calendarID.rawValue
            let clock = #"{"extensionDays":0,"extensionMonths":0,"feePeriods":[],"pausedDays":0,"start":"\#(received)"}"#
            events.append("\(i)\t1\tloader\tcreate\t\\N\treceived\t\(deadline.due)\t[]\t\(received)\n")
            guard !open else {
                let state = i % 40 == 0 ? "in_progress" : "received"
                rows.append(
                    "\(ref(i))\t\(kind)\t\(state)\t1\t\(received)\t\(calendar)\t\(deadline.due)\t\(deadline.maxDue)\t\(clock)\tRequester \(i)\tSubject \(i)\tloader\t\(i % 2 == 0 ? "requester\(i)@example.org" : "\\N")\t\\N\t\\N\t\\N\n"
                )
                continue
            }
            // Answered: most within the deadline, some within an extension (FOI, EIR), some late.
            var seq = 1
            var due = deadline.due
            let roll = i % 100
            let responded: CivilDate
            if roll < 84 {
                responded = received.adding(days: (i % 97) * received.days(to: deadline.due) / 97)
            } else if roll < 90, kindValue == .foi || kindValue == .eir {
                seq += 1
                due = deadline.maxDue
                let exemptions = kindValue == .foi ? "s31" : ""
                let fields =
                    kindValue == .foi
                    ? #"[["reason","public interest"],["exemptions","s31"],["on","\#(deadline.due)"]]"#
                    : #"[["reason","complex"],["on","\#(deadline.due)"]]"#
                events.append("\(i)\t\(seq)\tloader\textend\treceived\treceived\t\(due)\t\(fields)\t\(deadline.due)\n")
                if !exemptions.isEmpty { grounds.append("\(i)\ts31\ts31\tfalse\ttrue\n") }
                responded = deadline.due.adding(days: 1 + (i % 97) * deadline.due.days(to: deadline.maxDue) / 100)
            } else {
                responded = deadline.due.adding(days: 1 + i % 40)
            }
            let outcome = [
                "granted", "granted", "granted", "granted", "granted", "granted", "granted", "granted", "granted", "partial",
                "partial", "partial", "partial", "refused", "refused", "refused", "refused", "not-held", "not-held", "ncnd",
            ][i % 20]
            var cited: [String] = []
            if ["partial", "refused", "ncnd"].contains(outcome) {
                switch kindValue {
                case .foi:
                    cited =
                        outcome == "ncnd" ? ["s23", "s24"] : [["s40(2)"], ["s31"], ["s30"], ["s12"], ["s21"], ["s40(2)", "s38"], ["s43"]][i % 7]
                case .eir: cited = [["r12(5)(b)"], ["r13"], ["r12(4)(b)"]][(i / 6) % 3]
                case .sar: cited = [["dpa-s45(4)(b)"], ["dpa-sch2-p2"]][(i / 6) % 2]
                default: cited = []
                }
            }
            for code in cited {
                if seq == 2, code == "s31" {
                    grounds.removeLast()
                    grounds.append("\(i)\ts31\ts31\ttrue\ttrue\n")
                } else {
                    grounds.append("\(i)\t\(code)\t\(code)\ttrue\tfalse\n")
                }
            }
            let exemptionsText = cited.joined(separator: ", ")
            seq += 1
            var fields = #"[["outcome","\#(outcome)"]"#
            if !cited.isEmpty { fields += #",["exemptions","\#(exemptionsText)"]"# }
            fields += #",["on","\#(responded)"]]"#
            events.append("\(i)\t\(seq)\tloader\trespond\treceived\tresponded\t\(due)\t\(fields)\t\(responded)\n")
            var state = "responded"
            if i % 3 == 0 {
                seq += 1
                state = "closed"
                let closed = min(responded.adding(days: 5), today)
                events.append("\(i)\t\(seq)\tloader\tclose\tresponded\tclosed\t\(due)\t[]\t\(closed)\n")
            }
            rows.append(
                "\(ref(i))\t\(kind)\t\(state)\t\(seq)\t\(received)\t\(calendar)\t\(due)\t\(deadline.maxDue)\t\(clock)\tRequester \(i)\tSubject \(i)\tloader\t\(i % 2 == 0 ? "requester\(i)@example.org" : "\\N")\t\(outcome)\t\(cited.isEmpty ? "\\N" : exemptionsText)\t\(responded)\n"
            )
        }
        try connection.copyIn(
            "COPY requests (ref, kind, state, version, received, calendar, due, max_due, clock, requester, subject, created_by, email, outcome, exemptions, responded_on) FROM STDIN",
            lines: rows)
        rows.removeAll()
        try connection.copyIn(
            "COPY request_events (request_id, seq, actor, action, from_state, to_state, due, fields, effective_on) FROM STDIN", lines: events)
        events.removeAll()
        try connection.copyIn("COPY request_grounds (request_id, ground, cited, in_response, in_extension) FROM STDIN", lines: grounds)
        // Reference numbering carries on after the loaded ones.
        try connection.query(
            """
            SELECT foiflow_next_reference(kind, year), setval(format('foiflow_ref_%s_%s', kind, year)::regclass, last)
            FROM (SELECT kind, split_part(ref, '-', 2)::int AS year, max(split_part(ref, '-', 3)::int) AS last
                  FROM requests GROUP BY 1, 2) t
            """)
        try connection.query("VACUUM ANALYZE requests")
        try connection.query("VACUUM ANALYZE request_events")
        try connection.query("VACUUM ANALYZE request_grounds")
        print("load: \(count) requests and events in \(String(format: "%.1f", Date().timeIntervalSince(start))) s")
    }

    /// Words a police force's requests are about, for subjects to search (`subjects`) and the
    /// searches themselves (the `search` workload): each request's subject is four of them.
    static let words = [
        "speed", "cameras", "stop", "search", "custody", "deaths", "firearms", "licences", "drones", "helicopter", "overtime",
        "sickness", "vetting", "misconduct", "complaints", "burglary", "robbery", "knife", "crime", "drugs", "cannabis", "fraud",
        "cyber", "domestic", "abuse", "stalking", "harassment", "hate", "incidents", "protest", "football", "matches", "traffic",
        "collisions", "pursuits", "tasers", "body", "worn", "video", "facial", "recognition", "automatic", "number", "plate",
        "readers", "informants", "budgets", "contracts", "vehicles", "fuel", "buildings", "stations", "closures", "officers",
        "staff", "recruitment", "diversity", "training", "dogs", "horses", "mental", "health", "missing", "persons", "children",
        "schools", "youth", "gangs", "county", "lines", "modern", "slavery", "trafficking", "wildlife", "rural", "theft",
        "tractors", "bicycles", "shoplifting", "antisocial", "behaviour", "noise", "fireworks", "bonfire", "festival", "airport",
        "railway", "motorway", "parking", "fines", "penalty", "notices", "cautions", "charges", "arrests", "warrants",
        "interpreters", "translation", "software", "licensing", "cloud", "email", "retention", "cctv", "control", "room",
        "emergency", "calls", "response", "times", "neighbourhood", "policing", "teams", "volunteers", "specials", "pensions",
        "salaries", "bonuses", "travel", "expenses", "hospitality", "gifts", "consultants", "legal", "costs", "settlements",
        "compensation", "injuries", "assaults", "spit", "hoods", "handcuffs", "restraint", "strip", "searches", "cells",
        "detention", "immigration", "bail", "curfew", "tagging", "prolific", "offenders", "sex", "register", "alcohol",
        "pubs", "nightclubs", "violence", "weapons", "amnesty", "bins", "surrender", "statistics", "ethnicity", "age", "gender",
    ]

    /// Gives every request a subject of four words from `words`, spread evenly (each word in
    /// about 2.7% of requests, so two words together pick out about a thousand).
    static func setSubjects(url: String) throws {
        let connection = try PostgresConnection(url: url)
        defer { connection.close() }
        let start = Date()
        try connection.query(
            """
            UPDATE requests SET subject = initcap(w[1 + (id * 7) % n]) || ' ' || w[1 + (id * 31 + 3) % n] || ' and '
                || w[1 + (id * 127 + 11) % n] || ' ' || w[1 + (id / 7 + id * 13 + 5) % n]
            FROM (SELECT \(words)::text[] AS w, cardinality(\(words)::text[]) AS n) v
            """)
        try connection.query("VACUUM ANALYZE requests")
        try connection.query("VACUUM ANALYZE request_search")
        print("subjects: 1,000,000 set in \(String(format: "%.1f", Date().timeIntervalSince(start))) s")
    }
}
