import Foundation
import TestSupport
import Testing

/// `foiflow serve --metrics-listen`: /metrics read by Prometheus's own text parser (the
/// prometheus_client Python package), /healthz following PostgreSQL down and up again.
@Suite(.requiresDatabase, .serialized) struct MetricsTests {
    /// Fetches `url` and prints `status` then, for /metrics, every sample the parser found as
    /// `name{label=value,...} value`, one per line.
    static let fetch = """
        import sys, urllib.request, urllib.error
        from prometheus_client.parser import text_string_to_metric_families
        try:
            response = urllib.request.urlopen(sys.argv[1], timeout=10)
            status, body = response.status, response.read().decode()
        except urllib.error.HTTPError as e:
            status, body = e.code, e.read().decode()
        print(status)
        if sys.argv[1].endswith("/metrics"):
            for family in text_string_to_metric_families(body):
                for s in family.samples:
                    labels = ",".join("%s=%s" % kv for kv in sorted(s.labels.items()))
                    print("%s{%s} %s" % (s.name, labels, s.value))
        """

    static func get(_ url: String) async throws -> (status: Int, samples: [String: Double]) {
        let run = try await Program.run("python3", ["-c", fetch, url])
        try #require(run.status == 0, "the fetch failed: \(run.stderr)")
        let lines = run.stdout.split(separator: "\n")
        var samples: [String: Double] = [:]
        for line in lines.dropFirst() {
            guard let space = line.lastIndex(of: " ") else { continue }
            samples[String(line[..<space])] = Double(line[line.index(after: space)...])
        }
        return (Int(lines.first ?? "") ?? 0, samples)
    }

    @Test func metricsParseAndHealthFollowsPostgres() async throws {
        let cluster = try await OwnCluster.start("metrics")
        defer { cluster.destroy() }
        let url = cluster.url
        let token = try await CLIDatabase.prepare(url, users: [TestUser("bkhan", "manager")]).tokens["bkhan"] ?? ""
        let metricsPort = freeLoopbackPort()
        let (server, serverPort) = try await ServerResilienceTests.serve(url, extra: ["--metrics-listen", String(metricsPort)])
        let client = try LineClient(port: serverPort)
        #expect(try await client.call("AUTH \(token)").hasPrefix("OK "))
        #expect(try await client.call("PING") == "OK pong")
        #expect(try await client.call("CREATE foi received=2026-01-05 requester=R").hasPrefix("OK "))
        #expect(try await client.call("CREATE sar received=2026-11-20 requester=R").hasPrefix("OK "))
        #expect(try await client.call("SHOW FOI-2026-999999").hasPrefix("ERR NOT_FOUND "))
        #expect(try await client.call("FROBNICATE").hasPrefix("ERR UNKNOWN_COMMAND "))

        let base = "http://127.0.0.1:\(metricsPort)"
        let (status, samples) = try await Self.get(base + "/metrics")
        #expect(status == 200)
        #expect(samples["foiflow_commands_total{command=CREATE,result=ok}"] == 2, "\(samples.keys.sorted())")
        #expect(samples["foiflow_commands_total{command=PING,result=ok}"] == 1)
        #expect(samples["foiflow_commands_total{command=SHOW,result=NOT_FOUND}"] == 1)
        #expect(samples["foiflow_commands_total{command=unknown,result=UNKNOWN_COMMAND}"] == 1)
        #expect(samples["foiflow_command_duration_seconds_count{command=CREATE}"] == 2)
        #expect(samples["foiflow_command_duration_seconds_bucket{command=CREATE,le=+Inf}"] == 2)
        #expect(samples["foiflow_connections_open{}"] == 1)
        #expect(samples["foiflow_pool_waiting{}"] == 0 && samples["foiflow_pool_connections_in_use{}"] != nil)
        // The FOI received on 5 Jan is overdue; the SAR is not.
        #expect(samples["foiflow_requests_open{kind=foi}"] == 1 && samples["foiflow_requests_overdue{kind=foi}"] == 1)
        #expect(samples["foiflow_requests_open{kind=sar}"] == 1 && samples["foiflow_requests_overdue{kind=sar}"] == 0)
        #expect(try await Self.get(base + "/nothing-here").status == 404)

        // Health follows PostgreSQL: 200, 503 while it is stopped, 200 again once it is back.
        #expect(try await Self.get(base + "/healthz").status == 200)
        try await cluster.stop()
        #expect(try await Self.get(base + "/healthz").status == 503)
        try await cluster.restart()
        var health = 0
        for _ in 0..<50 {
            health = try await Self.get(base + "/healthz").status
            if health == 200 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(health == 200)
        server.signal(SIGTERM)
        #expect(try await server.wait(timeout: .seconds(20)).status == 0)
    }

    /// Issue 24, item 8: the metrics listener closes what does not send a request in time,
    /// holds at most its cap of connections, and closes a connection after an oversized header.
    @Test func theMetricsListenerHasATimeoutACapAndClosesAfterABadHeader() async throws {
        let url = try await CLIDatabase.create("metrics24").url
        let metricsPort = freeLoopbackPort()
        let (server, _) = try await ServerResilienceTests.serve(
            url, extra: ["--metrics-listen", String(metricsPort), "--metrics-read-timeout", "2", "--metrics-max-connections", "4"])
        defer { server.signal(SIGKILL) }
        var ready = false
        for _ in 0..<100 where !ready {
            ready = (try? LineClient(port: metricsPort)) != nil
            if !ready { try await Task.sleep(for: .milliseconds(50)) }
        }
        try await Task.sleep(for: .milliseconds(300))  // the probes above have gone
        // Four half-open requests fill the cap; the fifth is closed at once.
        var held: [LineClient] = []
        for _ in 0..<4 {
            let client = try LineClient(port: metricsPort, timeoutSeconds: 10)
            try client.send("GET /metrics HTTP/1.1\r\nHost: x\r\n")
            held.append(client)
        }
        try await Task.sleep(for: .milliseconds(300))
        let extra = try LineClient(port: metricsPort, timeoutSeconds: 5)
        let started = ContinuousClock.now
        #expect(try await extra.readToEOF().isEmpty)
        #expect(ContinuousClock.now - started < .seconds(2))
        // The held ones are closed once the read timeout passes, without an answer.
        for client in held { #expect(try await client.readToEOF().isEmpty) }
        #expect(ContinuousClock.now - started < .seconds(8))
        // Then there is room again, and a whole request is answered.
        let (status, _) = try await Self.get("http://127.0.0.1:\(metricsPort)/healthz")
        #expect(status == 200)
        // An oversized header: a 400, then the connection is closed.
        let big = try LineClient(port: metricsPort, timeoutSeconds: 10)
        try? big.send("GET /metrics HTTP/1.1\r\nX-Big: \(String(repeating: "a", count: 1_000_000))\r\n\r\n")
        let answer = try await big.readToEOF()
        #expect(answer.hasPrefix("HTTP/1.1 400"), "\(answer.prefix(100))")
    }
}
