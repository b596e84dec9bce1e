import ArgumentParser
import Foundation
import Letters
import Logging
import Server
import ServiceLifecycle
import Store
import Web

/// `foiflow serve`: run the line-protocol server.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the line-protocol server until SIGINT or SIGTERM, then drain and exit 0.",
        discussion: """
            Connect with any line-based TCP client, for example: nc 127.0.0.1 7878

            Options may also be set by environment: FOIFLOW_LISTEN, FOIFLOW_LOG_LEVEL. Letters name the unit's details (foiflow unit set); the server says at start when they are missing.

            Example:
              foiflow serve --listen 127.0.0.1:7878
            """)

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var authority: AuthorityOptions

    @Option(help: ArgumentHelp("Address to listen on (default: $FOIFLOW_LISTEN or 127.0.0.1:7878).", valueName: "host:port"))
    var listen: String?

    @Option(help: "Longest request line in bytes.")
    var maxLine: Int = 16 * 1024

    @Option(help: "Most client connections at once; one more gets ERR BUSY.")
    var maxConnections: Int = 1024

    @Option(help: "Seconds a connection may stay silent before it is closed.")
    var idleTimeout: Int = 300

    @Option(help: "Seconds a new connection has to authenticate (AUTH) before it is closed.")
    var authTimeout: Int = 10

    @Option(help: "Seconds a line may take to arrive once its first byte has (a slow sender is closed).")
    var lineTimeout: Int = 30

    @Option(help: "Most connections at once from one IP address; one more gets ERR BUSY.")
    var maxConnectionsPerIp: Int = 64

    @Option(help: "Database connections in the pool.")
    var poolSize: Int = 8

    @Option(
        help: """
            Requests held as last read or written (SHOW, ACT), so an action on one of them is decided and written in one \
            database round trip (0: every ACT reads its request first).
            """)
    var heldRows: Int = ServerContext.defaultHeldRows

    @Option(help: "Statement time limit in milliseconds (ERR TIMEOUT past it).")
    var statementTimeout: Int = 5000

    @Option(help: ArgumentHelp("trace, debug, info, notice, warning, error or critical (default: $FOIFLOW_LOG_LEVEL or info).", valueName: "level"))
    var logLevel: String?

    @Option(
        help: ArgumentHelp(
            "Serve GET /metrics (Prometheus) and GET /healthz over HTTP on this address (PORT alone: 127.0.0.1:PORT). Off unless given.",
            valueName: "host:port"))
    var metricsListen: String?

    @Option(
        help: ArgumentHelp(
            "Serve the public web pages (the request form, request status, the disclosure log, statistics, officers' calendars) over HTTP on this address (PORT alone: 127.0.0.1:PORT). Off unless given.",
            valueName: "host:port"))
    var webListen: String?

    @Option(help: ArgumentHelp("Requests one address may make through the web form in an hour.", valueName: "n"))
    var webFormLimit: Int = 20

    @Option(help: ArgumentHelp("Status look-ups (reference and access code) one address may make in ten minutes.", valueName: "n"))
    var webLookupLimit: Int = 30

    /// `--web-listen` as host and port: `PORT` alone binds 127.0.0.1.
    var webAddress: (host: String, port: Int)? {
        guard let webListen else { return nil }
        if let port = Int(webListen), (0...65535).contains(port) { return ("127.0.0.1", port) }
        return ServerConfiguration.parseListen(webListen)
    }

    @Option(
        help: ArgumentHelp(
            "Seconds the metrics listener gives a connection to send a whole request (or between requests) before closing it.", valueName: "seconds"))
    var metricsReadTimeout: Int = 10

    @Option(help: ArgumentHelp("The most connections the metrics listener holds open at once; more are closed on arrival.", valueName: "n"))
    var metricsMaxConnections: Int = MetricsServer.defaultMaxConnections

    /// `--metrics-listen` as host and port: `PORT` alone binds 127.0.0.1.
    var metricsAddress: (host: String, port: Int)? {
        guard let metricsListen else { return nil }
        if let port = Int(metricsListen), (0...65535).contains(port) { return ("127.0.0.1", port) }
        return ServerConfiguration.parseListen(metricsListen)
    }

    func validate() throws {
        let address = listen ?? ProcessInfo.processInfo.environment["FOIFLOW_LISTEN"] ?? "127.0.0.1:7878"
        guard ServerConfiguration.parseListen(address) != nil else {
            throw ValidationError("--listen must be HOST:PORT, e.g. 127.0.0.1:7878 (got '\(address)')")
        }
        guard maxLine >= 64 else { throw ValidationError("--max-line must be at least 64") }
        guard maxConnections >= 1 else { throw ValidationError("--max-connections must be at least 1") }
        guard idleTimeout >= 1 else { throw ValidationError("--idle-timeout must be at least 1 second") }
        guard authTimeout >= 1 else { throw ValidationError("--auth-timeout must be at least 1 second") }
        guard lineTimeout >= 1 else { throw ValidationError("--line-timeout must be at least 1 second") }
        guard maxConnectionsPerIp >= 1 else { throw ValidationError("--max-connections-per-ip must be at least 1") }
        guard (1...256).contains(poolSize) else { throw ValidationError("--pool-size must be 1 to 256") }
        guard (0...10_000_000).contains(heldRows) else { throw ValidationError("--held-rows must be 0 to 10000000") }
        guard statementTimeout >= 1 else { throw ValidationError("--statement-timeout must be at least 1 ms") }
        guard (1...3600).contains(metricsReadTimeout) else { throw ValidationError("--metrics-read-timeout must be 1 to 3600 seconds") }
        guard (1...100_000).contains(metricsMaxConnections) else { throw ValidationError("--metrics-max-connections must be 1 to 100000") }
        guard webFormLimit >= 1, webLookupLimit >= 1 else { throw ValidationError("--web-form-limit and --web-lookup-limit must be at least 1") }
        if let webListen, webAddress == nil {
            throw ValidationError("--web-listen must be HOST:PORT or PORT, e.g. 127.0.0.1:8080 (got '\(webListen)')")
        }
        if let metricsListen, metricsAddress == nil {
            throw ValidationError("--metrics-listen must be HOST:PORT or PORT, e.g. 127.0.0.1:9464 (got '\(metricsListen)')")
        }
        let level = logLevel ?? ProcessInfo.processInfo.environment["FOIFLOW_LOG_LEVEL"] ?? "info"
        guard Logger.Level(rawValue: level) != nil else { throw ValidationError("unknown log level '\(level)'") }
    }

    func run() async throws {
        let address = listen ?? ProcessInfo.processInfo.environment["FOIFLOW_LISTEN"] ?? "127.0.0.1:7878"
        guard let (host, port) = ServerConfiguration.parseListen(address) else {
            throw CLIError("bad listen address '\(address)'", code: .badArgument)
        }
        let level = Logger.Level(rawValue: logLevel ?? ProcessInfo.processInfo.environment["FOIFLOW_LOG_LEVEL"] ?? "info") ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "foiflow")
        // Letter templates are checked now: a bad override folder stops the server at start.
        let letters = LetterWriter.standard()
        if case .failure(let error) = letters.book {
            throw CLIError("letter templates: \(error)", code: .badArgument)
        }
        // The statement limit, enforced by PostgreSQL and, should it stop answering, by the pool
        // too: a command waits at most the limit plus two seconds, then ERR TIMEOUT.
        let pool = database.makePool(
            // Without JIT: the server's statements are short, and compiling one whose estimated cost
            // crosses jit_above_cost (a search ranking thousands of matches) took longer than
            // running it (SEARCH p99 21.5 ms with it, 18.3 ms without; docs/BENCHMARKS.md).
            maxConnections: poolSize, sessionSettings: ["SET statement_timeout = \(statementTimeout)", "SET jit = off"],
            hardTimeout: .milliseconds(statementTimeout) + .seconds(2))
        // Say at start when letters would lack the unit's name or contact (a request no officer
        // leads would have its letters held as tasks).
        if let unit = try? await UnitStore(pool: pool).current(fallback: letters.unit), !unit.gaps.isEmpty {
            logger.warning("\(UnitCommand.gapWarning(unit))")
        }
        let metrics = metricsAddress.map { _ in ServerMetrics() }
        let context = ServerContext(
            pool: pool, logger: logger, authority: authority.authority, letters: letters, metrics: metrics,
            heldRows: heldRows)
        let server = LineServer(
            configuration: ServerConfiguration(
                host: host, port: port, maxLineLength: maxLine, maxConnections: maxConnections,
                idleTimeout: .seconds(idleTimeout), authTimeout: .seconds(authTimeout), lineTimeout: .seconds(lineTimeout),
                maxConnectionsPerIP: maxConnectionsPerIp),
            context: context)
        var services: [any Service] = [server]
        if let metrics, let (metricsHost, metricsPort) = metricsAddress {
            services.append(
                MetricsServer(
                    host: metricsHost, port: metricsPort, metrics: metrics, pool: pool, lineServer: server, today: context.today,
                    logger: logger, readTimeout: .seconds(Int64(metricsReadTimeout)), maxConnections: metricsMaxConnections))
        }
        if let (webHost, webPort) = webAddress {
            let folder = ProcessInfo.processInfo.environment["FOIFLOW_TEMPLATES"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
            let pages: PageBook
            do { pages = try PageBook(overrides: folder) } catch { throw CLIError("web pages: \(error)", code: .badArgument) }
            let site = WebSite(
                pool: pool, requests: context.requests, pages: pages, letters: letters, today: context.today, logger: logger,
                formsPerHour: webFormLimit, lookupsPerTenMinutes: webLookupLimit)
            services.append(site.application(host: webHost, port: webPort))
        }
        let group = ServiceGroup(
            configuration: .init(
                services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch {
            await pool.shutdown()
            throw CLIError("serve: \(error)")
        }
        await pool.shutdown()
    }
}
