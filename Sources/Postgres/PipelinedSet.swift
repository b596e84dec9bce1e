import NIOConcurrencyHelpers

/// The pool's pipelined connections: single statements are spread over them, the least
/// busy first, and a new connection is opened (up to the limit) only when every open one
/// already has a statement in flight; beyond the limit, statements queue on the same
/// connections (pipelined) instead of waiting for one to be free.
final class PipelinedSet: Sendable {
    private struct State {
        var connections: [PipelinedConnection] = []
        var opening = 0
        var waiters: [CheckedContinuation<PipelinedConnection?, any Error>] = []
        var closed = false
    }

    private let state = NIOLockedValueBox(State())
    private let limit: Int
    /// Opens one connection (blocking libpq work, run off the caller's thread).
    private let open: @Sendable () async throws -> PipelinedConnection

    init(limit: Int, open: @escaping @Sendable () async throws -> PipelinedConnection) {
        self.limit = max(1, limit)
        self.open = open
    }

    /// Connections open now (for tests and metrics).
    var count: Int { state.withLockedValue { $0.connections.count { !$0.isBroken } } }

    /// Statements in flight over all connections (for metrics).
    var inFlight: Int { state.withLockedValue { $0.connections.reduce(0) { $0 + $1.inFlight } } }

    /// A connection to send one statement on.
    func connection() async throws -> PipelinedConnection {
        enum Choice {
            case use(PipelinedConnection)
            case open
            case wait
            case closed
        }
        let choice = state.withLockedValue { state -> Choice in
            if state.closed { return .closed }
            state.connections.removeAll { $0.isBroken }
            var best: PipelinedConnection?
            var bestLoad = Int.max
            for connection in state.connections {
                let load = connection.inFlight
                if load < bestLoad {
                    (best, bestLoad) = (connection, load)
                    if load == 0 { break }
                }
            }
            if let best, bestLoad == 0 { return .use(best) }
            if state.connections.count + state.opening < limit {
                state.opening += 1
                return .open
            }
            if let best { return .use(best) }
            return .wait
        }
        switch choice {
        case .use(let connection):
            return connection
        case .closed:
            throw PostgresError(.poolClosed, "the connection pool is shut down")
        case .open:
            do {
                let connection = try await open()
                let (waiters, closed) = state.withLockedValue { state in
                    state.opening -= 1
                    defer { state.waiters.removeAll() }
                    if !state.closed { state.connections.append(connection) }
                    return (state.waiters, state.closed)
                }
                if closed {
                    connection.close(failing: PostgresError(.poolClosed, "the connection pool is shut down"))
                    throw PostgresError(.poolClosed, "the connection pool is shut down")
                }
                waiters.forEach { $0.resume(returning: connection) }
                return connection
            } catch {
                let waiters = state.withLockedValue { state in
                    state.opening -= 1
                    defer { state.waiters.removeAll() }
                    return state.waiters
                }
                waiters.forEach { $0.resume(throwing: error) }
                throw error
            }
        case .wait:
            // Every place is taken by a connection being opened: wait for one to open.
            let ready: PipelinedConnection? = try await withCheckedThrowingContinuation { continuation in
                enum Now {
                    case ready(PipelinedConnection?)
                    case closed
                    case waiting
                }
                let now = state.withLockedValue { state -> Now in
                    if state.closed { return .closed }
                    if let open = state.connections.first(where: { !$0.isBroken }) { return .ready(open) }
                    if state.opening == 0 { return .ready(nil) }  // the opening failed meanwhile: choose again
                    state.waiters.append(continuation)
                    return .waiting
                }
                switch now {
                case .ready(let connection): continuation.resume(returning: connection)
                case .closed: continuation.resume(throwing: PostgresError(.poolClosed, "the connection pool is shut down"))
                case .waiting: break
                }
            }
            if let ready { return ready }
            return try await connection()
        }
    }

    /// Closes every connection; statements in flight and callers waiting fail with `poolClosed`.
    func shutdown() {
        let (connections, waiters) = state.withLockedValue { state in
            state.closed = true
            defer {
                state.connections.removeAll()
                state.waiters.removeAll()
            }
            return (state.connections, state.waiters)
        }
        let error = PostgresError(.poolClosed, "the connection pool is shut down")
        connections.forEach { $0.close(failing: error) }
        waiters.forEach { $0.resume(throwing: error) }
    }
}
