import Dates
import Deadlines
import Foundation
import Postgres

/// Loads `count` requests (and their create events) with COPY. Every 20th is open
/// (row i, counted from 1, is open when i % 20 == 0), the rest answered, so an
/// open request's id is a multiple of 20 and its ref is `Loader.ref(i)`.
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
        var rows: [String] = []
        rows.reserveCapacity(count)
        var events: [String] = []
        events.reserveCapacity(count)
        for i in 1...count {
            let kind = kinds[i % kinds.count]
            let year = 2016 + (i / 100_000)
            let open = i % 20 == 0
            // Open requests were received in the last few weeks; the rest any day of their year.
            let received =
                open
                ? CivilDate(dayNumber: (CivilDate(iso: "2026-10-01")?.dayNumber ?? 0) + (i / 20) % 60)
                : CivilDate(dayNumber: base + (year - 2016) * 365 + (i % 360))
            let kindValue = RequestKind(rawValue: kind) ?? .foi
            let deadline = try calculator.deadline(kind: kindValue, start: received)
            let state = open ? (i % 40 == 0 ? "in_progress" : "received") : (i % 3 == 0 ? "closed" : "responded")
            let calendar = Authority().defaultCalendar(for: kindValue).rawValue
            let clock = #"{"extensionDays":0,"extensionMonths":0,"feePeriods":[],"pausedDays":0,"start":"\#(received)"}"#
            rows.append(
                "\(ref(i))\t\(kind)\t\(state)\t1\t\(received)\t\(calendar)\t\(deadline.due)\t\(deadline.maxDue)\t\(clock)\tRequester \(i)\tSubject \(i)\tloader\t\(i % 2 == 0 ? "requester\(i)@example.org" : "\\N")\n"
            )
            events.append("\(i)\t1\tloader\tcreate\t\\N\treceived\t\(deadline.due)\t[]\n")
        }
        try connection.copyIn(
            "COPY requests (ref, kind, state, version, received, calendar, due, max_due, clock, requester, subject, created_by, email) FROM STDIN",
            lines: rows)
        rows.removeAll()
        try connection.copyIn(
            "COPY request_events (request_id, seq, actor, action, from_state, to_state, due, fields) FROM STDIN", lines: events)
        // Reference numbering carries on after the loaded ones.
        try connection.query(
            """
            SELECT foiflow_next_reference(kind, year), setval(format('foiflow_ref_%s_%s', kind, year)::regclass, last)
            FROM (SELECT kind, split_part(ref, '-', 2)::int AS year, max(split_part(ref, '-', 3)::int) AS last
                  FROM requests GROUP BY 1, 2) t
            """)
        try connection.query("VACUUM ANALYZE requests")
        try connection.query("VACUUM ANALYZE request_events")
        print("load: \(count) requests and events in \(String(format: "%.1f", Date().timeIntervalSince(start))) s")
    }
}
