import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A bounded pool of PostgreSQL connections, in two kinds.
///
/// Single statements (`query(_:)`: reads and one-statement changes, which are most of the
/// server's work) go to pipelined connections (`PipelinedConnection`): sent from the
/// caller's own thread, answered through one reactor thread, and many callers share a
/// connection when they outnumber them; no thread hand-off per statement.
///
/// Work that needs a connection to itself (`withConnection`, `withTransaction`: several
/// statements, COPY, scripts) leases a blocking `PostgresConnection` and runs on the pool's
/// own `NIOThreadPool`, never on Swift's cooperative threads or an event loop. A lease waits
/// at most `leaseTimeout` for a free connection; a connection found dead (backend
/// terminated, server restarted) is reconnected when it is next leased.
///
/// Each kind opens connections only when needed, up to `maxConnections` each.
public final class PostgresPool: Sendable {
    /// How the pool connects and how large it may grow.
    public struct Configuration: Sendable {
        /// libpq connection string or URI (empty: libpq's `PG*` defaults).
        public var url: String
        /// The most connections open at once.
        public var maxConnections: Int
        /// How long a caller waits for a free connection before `poolTimeout`.
        public var leaseTimeout: Duration
        /// Extra `SET` statements for every session (trusted text).
        public var sessionSettings: [String]
        /// The longest a leased connection's work may take before the pool gives up on it
        /// (breaks the connection and reports a timeout): the server's guard against a
        /// database that stops answering, beside its own `statement_timeout`. `nil`: no limit.
        public var hardTimeout: Duration?
        /// Whether `query(_:)` sends data statements over pipelined connections (the default);
        /// `false`: every statement leases a blocking connection.
        public var pipelining: Bool

        public init(
            url: String, maxConnections: Int = 4, leaseTimeout: Duration = .seconds(10), sessionSettings: [String] = [],
            hardTimeout: Duration? = nil, pipelining: Bool = true
        ) {
            self.url = url
            self.maxConnections = max(1, maxConnections)
            self.leaseTimeout = leaseTimeout
            self.sessionSettings = sessionSettings
            self.hardTimeout = hardTimeout
            self.pipelining = pipelining
        }
    }

    private enum Grant {
        case connection(PostgresConnection)
        case create
    }

    private struct Waiter {
        var id: UInt64
        var continuation: CheckedContinuation<Grant, any Error>
    }

    private struct State {
        var idle: [PostgresConnection] = []
        var open = 0
        var waiters: [Waiter] = []
        var nextWaiterID: UInt64 = 0
        var closed = false
    }

    public let configuration: Configuration
    private let threads: NIOThreadPool
    private let state = NIOLockedValueBox(State())
    private let pipelined: PipelinedSet
    private let opener: NIOThreadPool
    private let statements = NIOLockedValueBox(0)

    /// Creates a pool; no connection is opened until the first lease.
    public init(configuration: Configuration) {
        self.configuration = configuration
        let threads = NIOThreadPool(numberOfThreads: configuration.maxConnections)
        self.threads = threads
        threads.start()
        // Opened on a thread of their own, so a pool whose threads are all busy with leases
        // can still open one, and no other pool's slow connect can hold it up.
        let opener = NIOThreadPool(numberOfThreads: 1)
        opener.start()
        self.opener = opener
        self.pipelined = PipelinedSet(limit: configuration.maxConnections) {
            try await opener.runIfActive {
                try PipelinedConnection(url: configuration.url, settings: configuration.sessionSettings)
            }
        }
    }

    /// Convenience for `init(configuration:)`.
    public convenience init(url: String, maxConnections: Int = 4) {
        self.init(configuration: Configuration(url: url, maxConnections: maxConnections))
    }

    /// Leases a connection, runs `body` with it on the pool's threads, and returns it.
    @discardableResult
    public func withConnection<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) throws -> T) async throws -> T {
        let connection = try await lease()
        // A watchdog on an event loop breaks the connection if the work outlives the hard limit.
        let fired = NIOLockedValueBox(false)
        // Scheduled on the caller's own event loop when it runs on one (the server's connections
        // do), so arming and cancelling it wakes no other thread.
        let loop = MultiThreadedEventLoopGroup.currentEventLoop ?? MultiThreadedEventLoopGroup.singleton.any()
        let watchdog = configuration.hardTimeout.map { limit in
            loop.scheduleTask(in: .nanoseconds(PostgresPool.nanoseconds(limit))) {
                fired.withLockedValue { $0 = true }
                connection.interrupt()
            }
        }
        do {
            let value = try await threads.runIfActive {
                try connection.ensureHealthy()
                return try body(connection)
            }
            watchdog?.cancel()
            release(connection)
            return value
        } catch {
            watchdog?.cancel()
            release(connection)
            if fired.withLockedValue({ $0 }), let limit = configuration.hardTimeout {
                throw PostgresError(
                    .server, "the database did not answer within \(limit); the statement was abandoned", sqlState: SQLState.queryCanceled)
            }
            throw error
        }
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    /// Runs `body` in one transaction on a leased connection (see `PostgresConnection.withTransaction`).
    @discardableResult
    public func withTransaction<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) throws -> T) async throws -> T {
        try await withConnection { connection in
            try connection.withTransaction(body)
        }
    }

    /// Runs one statement, its own transaction. A data statement (SELECT, WITH, INSERT,
    /// UPDATE, DELETE) goes over a pipelined connection; anything else leases one.
    @discardableResult
    public func query(_ query: PostgresQuery) async throws -> PostgresResult {
        statements.withLockedValue { $0 += 1 }
        guard configuration.pipelining, PostgresConnection.isPreparable(query.sql) else {
            return try await withConnection { try $0.query(query) }
        }
        let texts = try PostgresConnection.texts(of: query.binds)
        // A statement refused before it was sent (its connection broke a moment earlier) is
        // safe to send again on another; one that was sent is never repeated.
        for attempt in 1...3 {
            let connection = try await pipelined.connection()
            do {
                return try await execute(query.sql, texts, on: connection)
            } catch PipelinedConnection.NotSent.connectionClosed where attempt < 3 {
                continue
            }
        }
        throw PostgresError(.connectionLost, "connection is closed")
    }

    /// One statement on a pipelined connection, under the hard timeout's watchdog.
    private func execute(_ sql: String, _ texts: [String?], on connection: PipelinedConnection) async throws -> PostgresResult {
        guard let limit = configuration.hardTimeout else { return try await connection.execute(sql, texts) }
        let fired = NIOLockedValueBox(false)
        let loop = MultiThreadedEventLoopGroup.currentEventLoop ?? MultiThreadedEventLoopGroup.singleton.any()
        let watchdog = loop.scheduleTask(in: .nanoseconds(PostgresPool.nanoseconds(limit))) {
            fired.withLockedValue { $0 = true }
            connection.interrupt()
        }
        do {
            let result = try await connection.execute(sql, texts)
            watchdog.cancel()
            return result
        } catch {
            watchdog.cancel()
            if fired.withLockedValue({ $0 }) {
                throw PostgresError(
                    .server, "the database did not answer within \(limit); the statement was abandoned", sqlState: SQLState.queryCanceled)
            }
            throw error
        }
    }

    /// Closes idle connections, fails waiters, and stops the pool's threads.
    /// Connections in use are closed when they come back.
    public func shutdown() async {
        pipelined.shutdown()
        let (idle, waiters) = state.withLockedValue { state -> ([PostgresConnection], [Waiter]) in
            state.closed = true
            defer { state.idle.removeAll(); state.waiters.removeAll() }
            return (state.idle, state.waiters)
        }
        for waiter in waiters {
            waiter.continuation.resume(throwing: PostgresError(.poolClosed, "the connection pool is shut down"))
        }
        idle.forEach { $0.close() }
        try? await threads.shutdownGracefully()
        try? await opener.shutdownGracefully()
    }

    /// Statements run through `query(_:)` since the pool was made, each one round trip (for
    /// tests and metrics).
    public var statementsRun: Int { statements.withLockedValue { $0 } }

    /// Number of connections open or being opened (for tests and metrics).
    public var openConnections: Int { state.withLockedValue { $0.open } + pipelined.count }

    /// Connections leased now plus statements in flight on pipelined connections, and
    /// callers waiting for a connection (for metrics).
    public var usage: (inUse: Int, waiting: Int) {
        let (leased, waiting) = state.withLockedValue { ($0.open - $0.idle.count, $0.waiters.count) }
        return (leased + pipelined.inFlight, waiting)
    }

    // MARK: Leasing

    private func lease() async throws -> PostgresConnection {
        let grant = try await acquire()
        switch grant {
        case .connection(let connection):
            return connection
        case .create:
            do {
                let configuration = self.configuration
                return try await threads.runIfActive {
                    try PostgresConnection(url: configuration.url, settings: configuration.sessionSettings)
                }
            } catch {
                connectionGone()
                throw error
            }
        }
    }

    private enum Immediate {
        case grant(Grant)
        case wait
        case closed
    }

    /// Takes an idle connection or a place to open one, if there is either. Call under the lock.
    private func takeImmediately(_ state: inout State) -> Immediate {
        if state.closed { return .closed }
        if let connection = state.idle.popLast() { return .grant(.connection(connection)) }
        if state.open < configuration.maxConnections {
            state.open += 1
            return .grant(.create)
        }
        return .wait
    }

    private func acquire() async throws -> Grant {
        let immediate = state.withLockedValue { takeImmediately(&$0) }
        switch immediate {
        case .grant(let grant): return grant
        case .closed: throw PostgresError(.poolClosed, "the connection pool is shut down")
        case .wait: break
        }
        let id = state.withLockedValue { state -> UInt64 in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        let timeout = configuration.leaseTimeout
        let timer = Task { [weak self] in
            try? await Task.sleep(for: timeout)
            guard !Task.isCancelled else { return }
            self?.abandonWaiter(id, error: PostgresError(.poolTimeout, "no database connection became free within \(timeout)"))
        }
        defer { timer.cancel() }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Grant, any Error>) in
                let immediate = state.withLockedValue { state -> Immediate in
                    // Something may have been released between the first check and now.
                    let immediate = takeImmediately(&state)
                    if case .wait = immediate { state.waiters.append(Waiter(id: id, continuation: continuation)) }
                    return immediate
                }
                switch immediate {
                case .grant(let grant): continuation.resume(returning: grant)
                case .closed: continuation.resume(throwing: PostgresError(.poolClosed, "the connection pool is shut down"))
                case .wait: break
                }
            }
        } onCancel: {
            self.abandonWaiter(id, error: CancellationError())
        }
    }

    private func abandonWaiter(_ id: UInt64, error: any Error) {
        let waiter = state.withLockedValue { state -> Waiter? in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return state.waiters.remove(at: index)
        }
        waiter?.continuation.resume(throwing: error)
    }

    private func release(_ connection: PostgresConnection) {
        let broken = !connection.isHealthy
        if broken { connection.close() }
        enum Next {
            case hand(Waiter, Grant)
            case close
            case none
        }
        let next = state.withLockedValue { state -> Next in
            if state.closed {
                state.open -= 1
                return .close
            }
            if broken {
                // The connection is gone; a waiter may open a fresh one in its place.
                if !state.waiters.isEmpty { return .hand(state.waiters.removeFirst(), .create) }
                state.open -= 1
                return .none
            }
            if !state.waiters.isEmpty { return .hand(state.waiters.removeFirst(), .connection(connection)) }
            state.idle.append(connection)
            return .none
        }
        switch next {
        case .hand(let waiter, let grant): waiter.continuation.resume(returning: grant)
        case .close: connection.close()
        case .none: break
        }
    }

    /// A connection that was being opened failed: free its place, and let a waiter try.
    private func connectionGone() {
        let waiter = state.withLockedValue { state -> Waiter? in
            if !state.waiters.isEmpty, !state.closed { return state.waiters.removeFirst() }
            state.open -= 1
            return nil
        }
        waiter?.continuation.resume(returning: .create)
    }
}
