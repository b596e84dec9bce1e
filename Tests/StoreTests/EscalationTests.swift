import Dates
import Deadlines
import Foundation
import Letters
import Postgres
import Store
import TestSupport
import Testing
import Workflow

@Suite(.requiresDatabase) struct EscalationTests {
    let asOf = day("2026-12-02")  // a Wednesday
    let uk = CalendarSet.rules[.uk]

    /// A request due `daysLeft` working days from `asOf` (uk calendar), assigned and in team north.
    func request(_ f: RequestFixture, daysLeft: Int, respond: Bool = false) async throws -> String {
        let ref = try await f.create(extra: [Field("team", "north")]).ref
        _ = try await f.store.act(ref: ref, action: .assign, fields: [Field("to", "asmith")], by: f.officer, today: f.today)
        if respond { _ = try await f.store.act(ref: ref, action: .respond, fields: [Field("outcome", "granted")], by: f.officer, today: f.today) }
        try await f.pool.query("UPDATE requests SET due = \(try uk.addWorkingDays(asOf, daysLeft)) WHERE ref = \(ref)")
        return ref
    }

    func escalations(_ f: RequestFixture) async throws -> [String] {
        try await f.pool.query(
            "SELECT r.ref || ' ' || e.level AS x FROM escalations e JOIN requests r ON r.id = e.request_id ORDER BY r.ref, e.level"
        ).rows.map { try $0.decode(String.self, "x") }
    }

    func store(_ f: RequestFixture) -> EscalationStore {
        EscalationStore(pool: f.pool, calendars: CalendarCache(store: HolidayStore(pool: f.pool), maxAge: .zero))
    }

    @Test func levelsAtTheBoundariesAndWhoIsTold() async throws {
        let f = try await RequestFixture("escbounds")
        try await f.pool.query("UPDATE users SET email = login || '@example.org', team = 'north'")
        var refs: [Int: String] = [:]
        for days in [4, 3, 0, -1, -19, -20] { refs[days] = try await request(f, daysLeft: days) }
        let answered = try await request(f, daysLeft: -5, respond: true)
        let report = try await store(f).run(asOf: asOf)
        #expect(report.counts == [.warning: 2, .overdue: 2, .veryOverdue: 1])
        #expect(
            Dictionary(uniqueKeysWithValues: report.items.map { ($0.ref, $0.level) }) == [
                refs[3]!: "warning", refs[0]!: "warning", refs[-1]!: "overdue", refs[-19]!: "overdue", refs[-20]!: "very-overdue",
            ])
        #expect(!report.items.contains { $0.ref == refs[4] || $0.ref == answered })
        // Each is an escalate event by system with level=..., and a notification to the right person.
        let history = try await f.store.history(ref: refs[-20]!)
        #expect(history.last?.action == "escalate" && history.last?.actor == "system")
        #expect(history.last?.fields.contains(Field("level", "very-overdue")) == true)
        let recipients = try await f.pool.query(
            "SELECT r.ref, n.level, n.recipient, n.email FROM notifications n JOIN requests r ON r.id = n.request_id ORDER BY r.ref"
        ).rows
        let byRef = Dictionary(
            uniqueKeysWithValues: try recipients.map { (try $0.decode(String.self, "ref"), try $0.decode(String?.self, "recipient")) })
        #expect(byRef[refs[3]!] == "asmith")  // warning: the assignee
        #expect(byRef[refs[-1]!] == "bkhan")  // overdue: the team's manager
        #expect(byRef[refs[-20]!] == "root")  // very-overdue: the head of unit (first admin)
        #expect(recipients.count == 5)
        await f.shutdown()
    }

    @Test func aSecondRunAndAConcurrentRunAddNothing() async throws {
        let f = try await RequestFixture("escrepeat", maxConnections: 6)
        for days in [2, -3, -25] { _ = try await request(f, daysLeft: days) }
        let s = store(f)
        // Two runs at once: together they escalate each request once.
        async let a = s.run(asOf: asOf)
        async let b = s.run(asOf: asOf)
        let (ra, rb) = try await (a, b)
        #expect(ra.items.count + rb.items.count == 3)
        #expect(try await escalations(f).count == 3)
        let again = try await s.run(asOf: asOf)
        #expect(again.items.isEmpty && !again.skipped)
        #expect(try await escalations(f).count == 3)
        #expect(try await f.pool.query("SELECT count(*) AS n FROM notifications").first?.decode(Int.self, "n") == 3)
        await f.shutdown()
    }

    @Test func aDryRunWritesNothing() async throws {
        let f = try await RequestFixture("escdry")
        let ref = try await request(f, daysLeft: -2)
        let events = try await f.eventCount(ref)
        let report = try await store(f).run(asOf: asOf, dryRun: true)
        #expect(report.dryRun && report.items.map(\.ref) == [ref])
        #expect(try await escalations(f).isEmpty)
        #expect(try await f.eventCount(ref) == events)
        #expect(try await f.pool.query("SELECT count(*) AS n FROM notifications").first?.decode(Int.self, "n") == 0)
        await f.shutdown()
    }

    @Test func aDueDateMovedByANewHolidayEscalatesAgain() async throws {
        let f = try await RequestFixture("escholiday")
        let ref = try await f.create(received: "2026-11-03").ref  // due 2026-12-02 on the uk calendar
        #expect(try await f.store.show(ref: ref, today: f.today).due == day("2026-12-02"))
        let s = store(f)
        #expect(try await s.run(asOf: day("2026-12-01")).items.map(\.level) == ["warning"])
        #expect(try await s.run(asOf: day("2026-12-01")).items.isEmpty)
        _ = try await HolidayStore(pool: f.pool).add(Holiday(date: day("2026-11-26"), division: .scotland, title: "Proclaimed"), actor: "root")
        #expect(try await f.store.show(ref: ref, today: f.today).due == day("2026-12-03"))
        #expect(try await s.run(asOf: day("2026-12-01")).items.map(\.level) == ["warning"])
        #expect(try await escalations(f) == ["\(ref) warning", "\(ref) warning"])
        await f.shutdown()
    }

    @Test func lapsingAfterThreeMonthsAndNotBefore() async throws {
        let f = try await RequestFixture("eslapse")
        let fee = try await f.create(received: "2026-09-01").ref
        _ = try await f.store.act(ref: fee, action: .feeNotice, fields: [Field("on", "2026-09-02")], by: f.officer, today: f.today)
        let sar = try await f.create(.sar, received: "2026-09-01").ref
        _ = try await f.store.act(ref: sar, action: .clarify, fields: [Field("on", "2026-09-03")], by: f.officer, today: f.today)
        let s = store(f)
        #expect(try await s.run(asOf: day("2026-12-01")).lapsed == 0)
        let first = try await s.run(asOf: day("2026-12-02"))
        #expect(first.items.filter { $0.level == "lapsed" }.map(\.ref) == [fee])
        #expect(try await f.store.show(ref: fee, today: f.today).state == .lapsed)
        #expect(try await f.store.history(ref: fee).last?.action == "lapse")
        #expect(try await s.run(asOf: day("2026-12-03")).items.filter { $0.level == "lapsed" }.map(\.ref) == [sar])
        #expect(try await s.run(asOf: day("2026-12-04")).lapsed == 0)
        // Each lapse wrote its lapse notice, with the reason.
        let notices = try await f.pool.query(
            "SELECT r.ref, l.body FROM letters l JOIN requests r ON r.id = l.request_id WHERE l.template = 'lapse' ORDER BY r.ref"
        ).rows
        #expect(try notices.map { try $0.decode(String.self, "ref") } == [fee, sar])
        #expect(try notices.first?.decode(String.self, "body").contains("fee not paid within 3 months (FOIA s.9(2))") == true)
        await f.shutdown()
    }
}

/// Delivered ids, from concurrent notifiers.
final class Deliveries: @unchecked Sendable {
    private let lock = NSLock()
    private var ids: [Int] = []
    func add(_ id: Int) { lock.lock(); ids.append(id); lock.unlock() }
    var all: [Int] { lock.lock(); defer { lock.unlock() }; return ids }
}

@Suite(.requiresDatabase) struct OutboxTests {
    func outbox(_ label: String, count: Int) async throws -> RequestFixture {
        let f = try await RequestFixture(label, maxConnections: 6)
        try await f.pool.query("UPDATE users SET email = login || '@example.org'")
        for _ in 0..<count { _ = try await f.create(received: "2026-10-01") }  // all overdue on 2026-12-01
        _ = try await EscalationStore(pool: f.pool, calendars: CalendarCache(store: HolidayStore(pool: f.pool))).run(asOf: f.today)
        return f
    }

    @Test func twoNotifiersDeliverEachMessageExactlyOnce() async throws {
        let f = try await outbox("outboxtwo", count: 30)
        let deliveries = Deliveries()
        let store = NotificationStore(pool: f.pool)
        async let a = store.deliverAll(batch: 4) { message in
            try await Task.sleep(for: .milliseconds(5))
            deliveries.add(message.id)
        }
        async let b = store.deliverAll(batch: 4) { message in
            try await Task.sleep(for: .milliseconds(5))
            deliveries.add(message.id)
        }
        let (ra, rb) = try await (a, b)
        #expect(ra.delivered.count + rb.delivered.count == 30)
        #expect(deliveries.all.count == 30 && Set(deliveries.all).count == 30)
        #expect(try await f.pool.query("SELECT count(*) AS n FROM notifications WHERE delivered_at IS NOT NULL").first?.decode(Int.self, "n") == 30)
        #expect(try await store.pending().isEmpty)
        await f.shutdown()
    }

    @Test func aFailingDeliveryIsRetriedWithBackOffThenReported() async throws {
        let f = try await outbox("outboxfail", count: 1)
        let store = NotificationStore(pool: f.pool, maxAttempts: 3)
        struct Down: Error {}
        let first = try await store.deliverAll { _ in throw Down() }
        #expect(first.retrying.count == 1 && first.gaveUp.isEmpty)
        // Backed off: not due again yet.
        #expect(try await store.deliverAll { _ in throw Down() }.retrying.isEmpty)
        for attempt in 2...3 {
            try await f.pool.query("UPDATE notifications SET next_attempt_at = now()")
            let report = try await store.deliverAll { _ in throw Down() }
            #expect(attempt == 3 ? report.gaveUp.count == 1 : report.retrying.count == 1, "attempt \(attempt)")
        }
        let row = try #require(try await f.pool.query("SELECT attempts, failed_at IS NOT NULL AS failed, last_error FROM notifications").first)
        #expect(try row.decode(Int.self, "attempts") == 3 && row.decode(Bool.self, "failed"))
        try await f.pool.query("UPDATE notifications SET next_attempt_at = now()")
        #expect(try await store.pending().isEmpty)  // given up: not tried again
        await f.shutdown()
    }

    @Test func aRecipientWithoutAnAddressIsReportedNotLost() async throws {
        let f = try await outbox("outboxnoaddr", count: 1)
        try await f.pool.query("UPDATE notifications SET email = NULL")
        let report = try await NotificationStore(pool: f.pool).deliverAll { _ in Issue.record("delivered without an address") }
        // No address cannot be mended by trying again: given up at once, with the reason.
        #expect(report.gaveUp.count == 1 && report.gaveUp.first?.error.contains("no e-mail address") == true)
        await f.shutdown()
    }
}

/// The monthly progress update (PROTOCOL.md, Keeping the requester informed).
@Suite(.requiresDatabase) struct ProgressUpdateTests {
    @Test func oneUpdatePerMonthFromTwoRunsAndFromConcurrentRuns() async throws {
        let f = try await RequestFixture("progress", maxConnections: 6)
        let unit = UnitContact(name: "Disclosure Unit", email: "foi@example.org")
        let letters = LetterWriter(book: Result { () throws(LetterError) in try LetterBook() }, unit: unit)
        let email = [Field("email", "r@example.org")]
        let quiet = try await f.create(received: "2026-10-20", extra: email).ref  // no contact since: update due 2026-11-20
        let recent = try await f.create(received: "2026-11-25", extra: email).ref  // update due 2026-12-25
        let answered = try await f.create(received: "2026-10-01", extra: email).ref
        _ = try await f.store.act(ref: answered, action: .respond, fields: [Field("outcome", "granted")], by: f.officer, today: f.today)
        func store() -> EscalationStore {
            EscalationStore(pool: f.pool, calendars: CalendarCache(store: HolidayStore(pool: f.pool), maxAge: .zero), letters: letters)
        }
        let dry = try await store().run(asOf: day("2026-12-01"), dryRun: true)
        #expect(dry.updatedRefs == [quiet])
        // Two runs at once, then a third: one letter.
        async let a = store().run(asOf: day("2026-12-01"))
        async let b = store().run(asOf: day("2026-12-01"))
        let (ra, rb) = try await (a, b)
        #expect((ra.updatedRefs + rb.updatedRefs) == [quiet])
        #expect(try await store().run(asOf: day("2026-12-01")).updatedRefs.isEmpty)
        let updates = try await f.pool.query(
            "SELECT r.ref, l.status FROM letters l JOIN requests r ON r.id = l.request_id WHERE l.template = 'progress-update'"
        ).rows.map { "\(try $0.decode(String.self, "ref")) \(try $0.decode(String.self, "status"))" }
        #expect(updates == ["\(quiet) queued"])
        let outbox = try await f.pool.query("SELECT count(*) AS n FROM notifications WHERE level = 'letter' AND subject LIKE '%an update%'")
        #expect(try outbox.first?.decode(Int.self, "n") == 1)
        // A contact moves the next update a month on; the recent request's comes when due.
        _ = try await f.store.act(
            ref: quiet, action: .contacted, fields: [Field("method", "phone"), Field("on", "2026-12-01")], by: f.officer, today: f.today)
        #expect(try await store().run(asOf: day("2026-12-31")).updatedRefs == [recent])
        #expect(try await store().run(asOf: day("2027-01-01")).updatedRefs == [quiet])
        await f.shutdown()
    }
}
