import TestSupport
import Testing

@Suite(.requiresDatabase) struct CalendarCommandTests {
    /// Each line and the reply it gets (bank holidays of each division, weekends, substitute
    /// days, counts either way, each kind's deadline and its longest).
    static let answers: [(line: String, reply: String)] = [
        ("WORKDAY IS 2026-11-30", "OK working=false reason=\"St Andrew's Day\""),
        ("WORKDAY IS 2026-11-30 calendar=england-and-wales", "OK working=true"),
        ("workday is 2026-11-21", "OK working=false reason=Saturday"),
        ("WORKDAY IS 2025-12-01", "OK working=false reason=\"St Andrew's Day (substitute day)\""),
        ("#w1 WORKDAY IS 2026-12-25 calendar=scotland", "#w1 OK working=false reason=\"Christmas Day\""),
        ("WORKDAY ADD 2026-11-20 20", "OK date=2026-12-21"),
        ("WORKDAY ADD 2026-11-20 20 calendar=england-and-wales", "OK date=2026-12-18"),
        ("WORKDAY ADD 2026-11-21 0", "OK date=2026-11-21"),
        ("WORKDAY ADD 2026-12-01 -1", "OK date=2026-11-27"),
        ("WORKDAY BETWEEN 2026-11-20 2026-12-21", "OK days=20"),
        ("WORKDAY BETWEEN 2026-12-21 2026-11-20", "OK days=-20"),
        ("DEADLINE foi received=2026-11-20", "OK due=2026-12-21 max_due=2027-01-22"),
        ("DEADLINE sar received=2026-11-30", "OK due=2026-12-30 max_due=2027-03-01"),
        ("DEADLINE complaint received=2026-12-18", "OK due=2027-01-06 max_due=2027-01-06"),
        ("DEADLINE FOI received=2026-11-20 calendar=england-and-wales", "OK due=2026-12-18 max_due=2027-01-20"),
    ]

    @Test func workdayAndDeadlineAnswer() async throws {
        let harness = try await ServerHarness()
        let client = try await harness.authenticatedClient()
        for (line, reply) in Self.answers {
            #expect(try await client.call(line) == reply, "\(line)")
        }
        try await harness.stop()
    }

    @Test func badInputIsBadArgument() async throws {
        let harness = try await ServerHarness()
        let client = try await harness.authenticatedClient()
        for line in [
            "WORKDAY IS 2026-02-30", "WORKDAY IS 1989-12-31", "WORKDAY IS 2101-01-01", "WORKDAY ADD 2026-01-01 10001",
            "WORKDAY ADD 2026-01-01 x", "WORKDAY ADD 2026-01-01", "WORKDAY IS 2026-01-01 calendar=mars",
            "WORKDAY IS 2026-01-01 colour=red", "WORKDAY", "WORKDAY FROB 2026-01-01", "WORKDAY BETWEEN 2026-01-01",
            "DEADLINE parking received=2026-01-01", "DEADLINE foi", "DEADLINE foi received=2026-13-01",
            "DEADLINE foi received=1980-01-01", "DEADLINE foi sar received=2026-01-01",
        ] {
            let status = try await client.call(line)
            #expect(status.hasPrefix("ERR BAD_ARGUMENT "), "\(line) -> \(status)")
        }
        #expect(try await client.call("PING") == "OK pong")
        try await harness.stop()
    }

    @Test func calendarCommandsNeedAuthentication() async throws {
        let harness = try await ServerHarness()
        let client = try harness.client()
        #expect(try await client.call("WORKDAY IS 2026-11-30").hasPrefix("ERR AUTH_REQUIRED "))
        #expect(try await client.call("DEADLINE foi received=2026-11-20").hasPrefix("ERR AUTH_REQUIRED "))
        try await harness.stop()
    }

    @Test func aRunningServerSeesANewHolidayWithoutARestart() async throws {
        let harness = try await ServerHarness()
        let client = try await harness.authenticatedClient(role: .auditor)
        #expect(try await client.call("WORKDAY IS 2027-06-07") == "OK working=true")
        let admin = try await harness.authenticatedClient(login: "boss", role: .admin)
        _ = admin
        try await harness.pool.query(
            "INSERT INTO holidays (division, date, title, source) VALUES ('england-and-wales', '2027-06-07', 'Proclaimed day', 'admin')")
        try await Task.sleep(for: .milliseconds(1200))
        #expect(try await client.call("WORKDAY IS 2027-06-07") == "OK working=false reason=\"Proclaimed day\"")
        try await harness.stop()
    }
}
