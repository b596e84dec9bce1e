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
}
