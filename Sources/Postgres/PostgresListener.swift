import CLibPQ
import Foundation
import NIOConcurrencyHelpers

/// A notification delivered by `NOTIFY channel, 'payload'`.
public struct PostgresNotification: Sendable, Equatable {
    public var channel: String
    public var payload: String
}

extension PostgresConnection {
    /// Waits up to `timeout` for notifications on the channels this session `LISTEN`s to,
    /// and returns those that arrived (possibly none). Throws when the connection is lost.
    public func notifications(waitingUpTo timeout: Duration) throws(PostgresError) -> [PostgresNotification] {
        guard let handle = rawHandle else { throw PostgresError(.connectionLost, "connection is closed") }
        var found = drainNotifications(handle)
        if !found.isEmpty { return found }
        let milliseconds = Int32(clamping: timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        var descriptor = pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0)
        guard descriptor.fd >= 0 else { throw PostgresError(.connectionLost, "connection is closed") }
        if poll(&descriptor, 1, milliseconds) > 0 {
            guard PQconsumeInput(handle) == 1, PQstatus(handle) == CONNECTION_OK else {
                throw PostgresError(.connectionLost, "the listening connection was lost")
            }
            found = drainNotifications(handle)
        }
        return found
    }

    private func drainNotifications(_ handle: OpaquePointer) -> [PostgresNotification] {
        var found: [PostgresNotification] = []
        while let raw = PQnotifies(handle) {
            let notify = raw.pointee
            found.append(
                PostgresNotification(
                    channel: notify.relname.map { String(cString: $0) } ?? "",
                    payload: notify.extra.map { String(cString: $0) } ?? ""))
            PQfreemem(raw)
        }
        return found
    }
}

/// Listens on one channel from a dedicated connection and thread, so that the rest of the
/// process learns of a change (a user disabled, say) within milliseconds of its commit.
///
/// `onNotification` runs on the listener's thread for every notification; `onReconnect`
/// runs after each (re)connection, since notifications sent while disconnected are lost.
/// When the database is unreachable the listener retries every `retryInterval`.
public final class PostgresListener: Sendable {
    public let url: String
    public let channel: String
    private let retryInterval: Duration
    private let onNotification: @Sendable (PostgresNotification) -> Void
    private let onReconnect: @Sendable () -> Void
    private let state = NIOLockedValueBox(State())

    private struct State {
        var stopping = false
        var listening = false
        var started = false
        var done: [CheckedContinuation<Void, Never>] = []
        var finished = false
    }

    public init(
        url: String, channel: String, retryInterval: Duration = .seconds(1),
        onNotification: @escaping @Sendable (PostgresNotification) -> Void,
        onReconnect: @escaping @Sendable () -> Void = {}
    ) {
        self.url = url
        self.channel = channel
        self.retryInterval = retryInterval
        self.onNotification = onNotification
        self.onReconnect = onReconnect
    }

    /// Whether the listener is connected and listening now.
    public var isListening: Bool { state.withLockedValue { $0.listening } }

    /// Starts the listening thread (once).
    public func start() {
        let thread = Thread { [self] in loop() }
        thread.name = "foiflow-listen-\(channel)"
        let started = state.withLockedValue { state -> Bool in
            guard !state.started, !state.stopping else { return false }
            state.started = true
            return true
        }
        if started { thread.start() }
    }

    /// Stops listening and waits for the thread to end (at most about a quarter second).
    public func stop() async {
        let wait = state.withLockedValue { state -> Bool in
            state.stopping = true
            return state.started && !state.finished
        }
        guard wait else { return }
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLockedValue { state -> Bool in
                if state.finished { return true }
                state.done.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    private var stopping: Bool { state.withLockedValue { $0.stopping } }

    private func loop() {
        while !stopping {
            do {
                let connection = try PostgresConnection(url: url)
                try connection.executeScript("LISTEN \(PostgresListener.quoted(channel))")
                state.withLockedValue { $0.listening = true }
                onReconnect()
                while !stopping {
                    for notification in try connection.notifications(waitingUpTo: .milliseconds(250)) {
                        onNotification(notification)
                    }
                }
                connection.close()
            } catch {
                state.withLockedValue { $0.listening = false }
                // Wait before reconnecting, a little at a time so that stop() stays quick.
                let deadline = ContinuousClock.now + retryInterval
                while !stopping, ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.05) }
            }
        }
        let waiting = state.withLockedValue { state -> [CheckedContinuation<Void, Never>] in
            state.listening = false
            state.finished = true
            defer { state.done.removeAll() }
            return state.done
        }
        waiting.forEach { $0.resume() }
    }

    /// A channel name as a quoted SQL identifier.
    static func quoted(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
