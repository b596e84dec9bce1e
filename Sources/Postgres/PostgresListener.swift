import CLibPQ
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

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

/// Listens on one channel from a connection of its own, so that the rest of the process learns
/// of a change (a user disabled, say) within milliseconds of its commit.
///
/// The listening loop is one long job on the listener's own `NIOThreadPool` (one thread):
/// libpq's blocking wait never runs on an event loop or the cooperative pool, and a
/// notification is handed on from that thread at once, however busy the rest of the process
/// is. `onNotification` runs for every notification; `onReconnect` after each (re)connection,
/// since notifications sent while disconnected are lost. When the database is unreachable the
/// listener retries every `retryInterval`.
public final class PostgresListener: Sendable {
    public let url: String
    public let channel: String
    private let retryInterval: Duration
    private let onNotification: @Sendable (PostgresNotification) -> Void
    private let onReconnect: @Sendable () -> Void
    private let threads = NIOThreadPool(numberOfThreads: 1)
    private let state = NIOLockedValueBox(State())

    private struct State {
        var listening = false
        var stopping = false
        var job: EventLoopFuture<Void>?
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

    /// Starts listening (once).
    public func start() {
        state.withLockedValue { state in
            guard state.job == nil, !state.stopping else { return }
            threads.start()
            // Submitted now, not from a task: the loop is listening before the server takes its
            // first command, however busy the cooperative pool is.
            state.job = threads.runIfActive(eventLoop: MultiThreadedEventLoopGroup.singleton.any()) { self.loop() }
        }
    }

    /// Stops listening and waits until it has (at most about a quarter second).
    public func stop() async {
        let job = state.withLockedValue { state -> EventLoopFuture<Void>? in
            state.stopping = true
            return state.job
        }
        guard let job else { return }
        try? await job.get()
        try? await threads.shutdownGracefully()
    }

    private var stopping: Bool { state.withLockedValue { $0.stopping } }

    /// The blocking loop, on the listener's thread until `stop()`.
    private func loop() {
        while !stopping {
            do {
                let connection = try PostgresConnection(url: url)
                defer { connection.close() }
                try connection.executeScript("LISTEN \(PostgresListener.quoted(channel))")
                state.withLockedValue { $0.listening = true }
                onReconnect()
                while !stopping {
                    for notification in try connection.notifications(waitingUpTo: .milliseconds(250)) {
                        onNotification(notification)
                    }
                }
            } catch {
                state.withLockedValue { $0.listening = false }
                // Wait before reconnecting, a little at a time so that stop() stays quick.
                let deadline = ContinuousClock.now + retryInterval
                while !stopping, ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.05) }
            }
        }
        state.withLockedValue { $0.listening = false }
    }

    /// A channel name as a quoted SQL identifier.
    static func quoted(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
