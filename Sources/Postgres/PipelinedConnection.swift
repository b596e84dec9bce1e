import CLibPQ
import NIOConcurrencyHelpers

#if canImport(Glibc)
import Glibc
#endif

/// A libpq connection in non-blocking pipeline mode, shared by many callers at once.
///
/// A caller's statement is written from the caller's own thread (`PQsendQueryPrepared`
/// followed by a sync point, so each statement is its own transaction) and the caller
/// suspends; `PostgresReactor` reads the answers as they arrive and resumes the callers in
/// the order their statements were sent. Statements of callers that arrive together go out
/// back to back on the same connection, and their answers come back in one read.
///
/// If the connection fails, every statement in flight on it fails with `connectionLost`
/// (a statement that reached the server is one transaction: wholly done or not at all) and
/// the connection is not used again.
final class PipelinedConnection: @unchecked Sendable {
    /// A statement that was never sent: safe to send on another connection.
    enum NotSent: Error {
        case connectionClosed
    }

    private struct Pending {
        var continuation: CheckedContinuation<PostgresResult, any Error>
        /// The last successful result of the statement so far.
        var result: OpaquePointer?
        var error: PostgresError?
        /// The SQL this statement prepares first; its first result is the preparation's,
        /// and if that fails the statement is forgotten (to be prepared again).
        var preparing: String?
    }

    private let lock = NIOLock()
    /// The connection, opened and set up in blocking mode, then switched. Guarded by `lock`.
    private let connection: PostgresConnection
    private var pending: [Pending] = []
    private var head = 0
    private var prepared: [String: String] = [:]
    /// Names are never reused, even for a statement prepared again after a failure.
    private var preparedNames = 0
    private var broken = false
    private var wantsWrite = false
    private var socket: Int32 = -1
    private let reactor: PostgresReactor

    /// Opens a connection (blocking: call it off the event loops) and puts it in pipeline mode.
    init(url: String, settings: [String], reactor: PostgresReactor = .shared) throws(PostgresError) {
        let connection = try PostgresConnection(url: url, settings: settings)
        guard let handle = connection.rawHandle, PQsetnonblocking(handle, 1) == 0, PQenterPipelineMode(handle) == 1 else {
            connection.close()
            throw PostgresError(.connectionFailed, "cannot put the connection in pipeline mode")
        }
        self.connection = connection
        self.socket = PQsocket(handle)
        self.reactor = reactor
        reactor.register(self)
    }

    deinit {
        // Dropped with its pool (never shut down): stop watching it; the connection closes itself.
        reactor.unregister(ObjectIdentifier(self))
    }

    /// Statements sent and not yet answered.
    var inFlight: Int { lock.withLock { pending.count - head } }

    /// Whether the connection failed (or was closed) and must be replaced.
    var isBroken: Bool { lock.withLock { broken } }

    /// The socket to poll and whether to poll for writing too (`-1` once broken).
    var pollInterest: (socket: Int32, wantsWrite: Bool) { lock.withLock { (broken ? -1 : socket, wantsWrite) } }

    /// Sends one statement (its own transaction) and waits for its answer.
    func execute(_ sql: String, _ texts: [String?]) async throws -> PostgresResult {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<PostgresResult, any Error>) in
            var failed: [Pending] = []
            let refusal: (any Error)? = lock.withLock {
                guard !broken, let handle = connection.rawHandle else { return NotSent.connectionClosed }
                var entry = Pending(continuation: continuation)
                var name = prepared[sql]
                if name == nil, prepared.count < PostgresConnection.maxPrepared, PostgresConnection.isPreparable(sql) {
                    preparedNames += 1
                    let newName = "foiflow_p\(preparedNames)"
                    guard PQsendPrepare(handle, newName, sql, Int32(texts.count), nil) == 1 else {
                        let error = lostError(handle)
                        failed = breakLocked()
                        return error
                    }
                    prepared[sql] = newName
                    entry.preparing = sql
                    name = newName
                }
                let sent = PostgresConnection.withOptionalCStrings(texts) { values in
                    if let name {
                        return PQsendQueryPrepared(handle, name, Int32(texts.count), values, nil, nil, 0)
                    }
                    return PQsendQueryParams(handle, sql, Int32(texts.count), nil, values, nil, nil, 0)
                }
                guard sent == 1, PQpipelineSync(handle) == 1 else {
                    let error = lostError(handle)
                    failed = breakLocked()
                    return error
                }
                pending.append(entry)
                let flushed = PQflush(handle)
                if flushed < 0 {
                    failed = breakLocked()
                } else if flushed == 1, !wantsWrite {
                    wantsWrite = true
                    reactor.wake()
                }
                return nil
            }
            if let refusal { continuation.resume(throwing: refusal) }
            finish(failed, PostgresError(.connectionLost, "the connection to PostgreSQL was lost"))
        }
    }

    /// Breaks the connection from any thread: every statement in flight fails with
    /// `connectionLost` (the pool's watchdog, for a database that stopped answering).
    func interrupt() {
        // Under the lock: the connection cannot be closed meanwhile and its socket number
        // handed to another connection.
        lock.withLock {
            if !broken, socket >= 0 { _ = Glibc.shutdown(socket, Int32(SHUT_RDWR)) }
        }
    }

    /// Closes the connection; statements in flight fail with `error`.
    func close(failing error: PostgresError) {
        let failed = lock.withLock { breakLocked() }
        finish(failed, error)
    }

    /// Called by the reactor when the socket is ready: flushes, reads, and resumes every
    /// caller whose answer is complete.
    func service(readable: Bool, writable: Bool) {
        var done: [Pending] = []
        var failed: [Pending] = []
        var failure = PostgresError(.connectionLost, "the connection to PostgreSQL was lost")
        lock.withLock {
            guard !broken, let handle = connection.rawHandle else { return }
            if wantsWrite || writable {
                let flushed = PQflush(handle)
                if flushed < 0 {
                    failure = lostError(handle)
                    failed = breakLocked()
                    return
                }
                wantsWrite = flushed == 1
            }
            guard readable else { return }
            guard PQconsumeInput(handle) == 1 else {
                failure = lostError(handle)
                failed = breakLocked()
                return
            }
            var nulls = 0
            while head < pending.count, PQisBusy(handle) == 0 {
                guard let result = PQgetResult(handle) else {
                    // Each statement's results end with a null; two in a row: nothing more yet.
                    nulls += 1
                    if nulls > 1 { break }
                    continue
                }
                nulls = 0
                let status = PQresultStatus(result)
                if let sql = pending[head].preparing, status != PGRES_PIPELINE_SYNC {
                    // The preparation's own result: forget the name if it failed.
                    pending[head].preparing = nil
                    if status != PGRES_COMMAND_OK { prepared.removeValue(forKey: sql) }
                }
                switch status {
                case PGRES_PIPELINE_SYNC:
                    PQclear(result)
                    done.append(pending[head])
                    head += 1
                case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
                    if let earlier = pending[head].result { PQclear(earlier) }
                    pending[head].result = result
                case PGRES_PIPELINE_ABORTED:
                    PQclear(result)
                default:
                    if pending[head].error == nil {
                        pending[head].error = PostgresConnection.serverError(result, connectionOK: PQstatus(handle) == CONNECTION_OK)
                    }
                    PQclear(result)
                }
            }
            if head == pending.count {
                pending.removeAll(keepingCapacity: true)
                head = 0
            } else if head > 64 {
                pending.removeFirst(head)
                head = 0
            }
            if PQstatus(handle) != CONNECTION_OK {
                failure = lostError(handle)
                failed = breakLocked()
            }
        }
        for entry in done {
            if let error = entry.error {
                if let result = entry.result { PQclear(result) }
                entry.continuation.resume(throwing: error)
            } else if let result = entry.result {
                entry.continuation.resume(returning: PostgresResult(handle: result))
            } else {
                entry.continuation.resume(throwing: PostgresError(.server, "the statement returned no result"))
            }
        }
        finish(failed, failure)
    }

    // MARK: Failure

    /// Marks the connection broken, stops watching it and takes the statements in flight.
    /// Call under the lock.
    private func breakLocked() -> [Pending] {
        guard !broken else { return [] }
        broken = true
        let failed = Array(pending[head...])
        pending.removeAll()
        head = 0
        reactor.unregister(ObjectIdentifier(self))
        connection.close()
        return failed
    }

    private func lostError(_ handle: OpaquePointer) -> PostgresError {
        let message = PostgresConnection.trimmed(PQerrorMessage(handle))
        return PostgresError(.connectionLost, message.isEmpty ? "the connection to PostgreSQL was lost" : message)
    }

    private func finish(_ failed: [Pending], _ error: PostgresError) {
        for entry in failed {
            if let result = entry.result { PQclear(result) }
            entry.continuation.resume(throwing: error)
        }
    }
}
