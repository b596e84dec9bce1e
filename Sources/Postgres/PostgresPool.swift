import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A bounded pool of `PostgresConnection`s.
///
/// Blocking libpq calls run on the pool's own `NIOThreadPool`, never on
/// Swift's cooperative threads or an event loop. A lease waits at most
/// `leaseTimeout` for a free connection; a connection found dead (backend
/// terminated, server restarted) is reconnected when it is next leased.
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

        public init(
            url: String, maxConnections: Int = 4, leaseTimeout: Duration = .seconds(10), sessionSettings: [String] = [],
            hardTimeout: Duration? = nil
        ) {
            self.url = url
            self.maxConnections = max(1, maxConnections)
            self.leaseTimeout = leaseTimeout
            self.sessionSettings = sessionSettings
            self.hardTimeout = hardTimeout
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

    /// Creates a pool; no connection is opened until the first lease.
    public init(configuration: Configuration) {
        self.configuration = configuration
        self.threads = NIOThreadPool(numberOfThreads: configuration.maxConnections)
        threads.start()
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

    /// Runs one statement on a leased connection.
    @discardableResult
    public func query(_ query: PostgresQuery) async throws -> PostgresResult {
        try await withConnection { try $0.query(query) }
    }

    /// Closes idle connections, fails waiters, and stops the pool's threads.
    /// Connections in use are closed when they come back.
    public func shutdown() async {
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
    }

    /// Number of connections open or being opened (for tests and metrics).
    public var openConnections: Int { state.withLockedValue { $0.open } }

    /// Connections leased now, and callers waiting for one (for metrics).
    public var usage: (inUse: Int, waiting: Int) {
        state.withLockedValue { ($0.open - $0.idle.count, $0.waiters.count) }
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
