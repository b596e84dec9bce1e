import CoreMetrics
import Dates
import Deadlines
import NIOConcurrencyHelpers
import Postgres
import Prometheus
import Store
import Workflow

/// What `foiflow serve --metrics-listen` exposes, through swift-metrics (counters, timers,
/// gauges) backed by a Prometheus registry: commands by name and result, their latency, open
/// connections, the pool, and open and overdue requests by kind.
public final class ServerMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    let factory: PrometheusMetricsFactory
    private let commands = NIOLockedValueBox<[String: (counter: CoreMetrics.Counter, timer: CoreMetrics.Timer?)]>([:])
    let connections: CoreMetrics.Gauge
    let poolInUse: CoreMetrics.Gauge
    let poolWaiting: CoreMetrics.Gauge
    /// Looks at requesters' other requests recorded, from every server and the CLI (the
    /// `requester-viewed` events), read with the open counts.
    let requesterViews: CoreMetrics.Gauge
    private let requests = NIOLockedValueBox<(refreshed: ContinuousClock.Instant?, gauges: [String: CoreMetrics.Gauge])>((nil, [:]))
    /// Open and overdue counts are read from the database at most this often.
    public let refreshInterval: Duration

    public init(refreshInterval: Duration = .seconds(5)) {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
            .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5),
        ]
        self.registry = registry
        self.factory = factory
        self.refreshInterval = refreshInterval
        connections = CoreMetrics.Gauge(label: "foiflow_connections_open", factory: factory)
        poolInUse = CoreMetrics.Gauge(label: "foiflow_pool_connections_in_use", factory: factory)
        poolWaiting = CoreMetrics.Gauge(label: "foiflow_pool_waiting", factory: factory)
        requesterViews = CoreMetrics.Gauge(label: "foiflow_requester_views", factory: factory)
    }

    /// The command names counted by name; any other word counts as `unknown` (bounded labels).
    static let commandNames: Set<String> = Set(CommandTable.commands.map(\.name))

    /// One command answered: `result` is `ok` or the error code.
    func commandFinished(_ word: String?, result: String, after duration: Duration) {
        let command = word.flatMap { Self.commandNames.contains($0) ? $0 : nil } ?? "unknown"
        let key = command + " " + result
        let (counter, timer) = commands.withLockedValue { cache -> (CoreMetrics.Counter, CoreMetrics.Timer?) in
            if let found = cache[key] { return (found.counter, found.timer) }
            let counter = CoreMetrics.Counter(
                label: "foiflow_commands_total", dimensions: [("command", command), ("result", result)], factory: factory)
            // One latency histogram per command (results share it).
            let timerKey = command + " *"
            let timer =
                cache[timerKey]?.timer
                ?? CoreMetrics.Timer(label: "foiflow_command_duration_seconds", dimensions: [("command", command)], factory: factory)
            cache[timerKey] = (counter, timer)
            cache[key] = (counter, timer)
            return (counter, timer)
        }
        counter.increment()
        let (seconds, attoseconds) = duration.components
        timer?.recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    /// Refreshes the gauges read at scrape time: connections and pool now; open and overdue
    /// requests by kind when the last count is older than `refreshInterval`.
    func refresh(server: LineServer?, pool: PostgresPool, today: CivilDate) async {
        if let server { connections.record(server.connectionCount) }
        let usage = pool.usage
        poolInUse.record(usage.inUse)
        poolWaiting.record(usage.waiting)
        let now = ContinuousClock.now
        let due = requests.withLockedValue { state -> Bool in
            if let refreshed = state.refreshed, now - refreshed < refreshInterval { return false }
            state.refreshed = now
            return true
        }
        guard due else { return }
        guard
            let rows = try? await pool.query(
                """
                SELECT kind, count(*) AS open, count(*) FILTER (WHERE due < \(today)) AS overdue, NULL::bigint AS requester_views
                FROM requests WHERE state IN \(unescaped: RequestStore.openStatesSQL) GROUP BY kind
                UNION ALL
                SELECT NULL, 0, 0, (SELECT count(*) FROM request_events WHERE action = \(Action.requesterViewed.rawValue))
                """
            ).rows
        else {
            requests.withLockedValue { $0.refreshed = nil }  // try again at the next scrape
            return
        }
        var counts: [String: (Int, Int)] = [:]
        for row in rows {
            if let views = try? row.decode(Int.self, "requester_views") { requesterViews.record(views) }
            guard let kind = try? row.decode(String?.self, "kind") else { continue }
            counts[kind] = ((try? row.decode(Int.self, "open")) ?? 0, (try? row.decode(Int.self, "overdue")) ?? 0)
        }
        for kind in RequestKind.allCases {
            let (open, overdue) = counts[kind.rawValue] ?? (0, 0)
            gauge("foiflow_requests_open", kind: kind.rawValue).record(open)
            gauge("foiflow_requests_overdue", kind: kind.rawValue).record(overdue)
        }
    }

    private func gauge(_ label: String, kind: String) -> CoreMetrics.Gauge {
        requests.withLockedValue { state in
            let key = label + " " + kind
            if let gauge = state.gauges[key] { return gauge }
            let gauge = CoreMetrics.Gauge(label: label, dimensions: [("kind", kind)], factory: factory)
            state.gauges[key] = gauge
            return gauge
        }
    }

    /// The Prometheus text exposition of everything above.
    public func exposition() -> [UInt8] {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return buffer
    }
}
