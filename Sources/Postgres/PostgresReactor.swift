import Foundation
import NIOConcurrencyHelpers

#if canImport(Glibc)
import Glibc
#endif

/// One thread that watches the sockets of every `PipelinedConnection` in the process and
/// reads their results as they arrive.
///
/// Statements are sent by the thread that asks for them (a server's event loop), without
/// leaving it; only the answers come through here, and one wake-up of this thread reads
/// every answer that arrived together, on every connection, before resuming the callers.
final class PostgresReactor: @unchecked Sendable {
    /// The process's reactor, started on first use; it runs for the life of the process.
    static let shared = PostgresReactor()

    /// The reactor does not keep connections alive: a pool dropped without being shut down
    /// still closes its connections (their `deinit` unregisters them).
    private final class WeakConnection {
        weak var connection: PipelinedConnection?
        init(_ connection: PipelinedConnection) { self.connection = connection }
    }

    private struct Registry {
        var connections: [ObjectIdentifier: WeakConnection] = [:]
        var changed = true
    }

    private let registry = NIOLockedValueBox(Registry())
    /// A pipe whose read end is in every poll, so other threads can wake the reactor.
    private let wakeRead: Int32
    private let wakeWrite: Int32

    private init() {
        var ends: [Int32] = [-1, -1]
        if pipe(&ends) == 0 {
            for end in ends {
                _ = fcntl(end, F_SETFD, FD_CLOEXEC)
                _ = fcntl(end, F_SETFL, O_NONBLOCK)
            }
        }
        wakeRead = ends[0]
        wakeWrite = ends[1]
        let thread = Thread { [self] in run() }
        thread.name = "foiflow-postgres-reactor"
        thread.start()
    }

    /// Starts watching `connection`'s socket.
    func register(_ connection: PipelinedConnection) {
        registry.withLockedValue {
            $0.connections[ObjectIdentifier(connection)] = WeakConnection(connection)
            $0.changed = true
        }
        wake()
    }

    /// Stops watching the connection `id` (before its socket is closed).
    func unregister(_ id: ObjectIdentifier) {
        registry.withLockedValue {
            if $0.connections.removeValue(forKey: id) != nil { $0.changed = true }
        }
        wake()
    }

    /// Makes the reactor poll again (a connection now also waits to write, or the set changed).
    func wake() {
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
    }

    private func run() {
        var watched: [WeakConnection] = []
        var polled: [WeakConnection] = []
        var fds: [pollfd] = []
        var drain = [UInt8](repeating: 0, count: 64)
        while true {
            let (changed, current) = registry.withLockedValue { registry -> (Bool, [WeakConnection]) in
                defer { registry.changed = false }
                return (registry.changed, registry.changed ? Array(registry.connections.values) : [])
            }
            if changed { watched = current }
            fds.removeAll(keepingCapacity: true)
            polled.removeAll(keepingCapacity: true)
            fds.append(pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0))
            // No strong reference is held across the wait.
            for box in watched {
                guard let (socket, wantsWrite) = box.connection?.pollInterest else { continue }
                fds.append(pollfd(fd: socket, events: Int16(POLLIN) | (wantsWrite ? Int16(POLLOUT) : 0), revents: 0))
                polled.append(box)
            }
            let ready = poll(&fds, nfds_t(fds.count), -1)
            if ready < 0 { continue }  // EINTR
            if fds[0].revents != 0 { _ = read(wakeRead, &drain, drain.count) }
            for (index, box) in polled.enumerated() {
                let revents = Int32(fds[index + 1].revents)
                guard revents != 0, fds[index + 1].fd >= 0, let connection = box.connection else { continue }
                let writable = revents & Int32(POLLOUT) != 0
                let readable = revents & Int32(POLLIN | POLLHUP | POLLERR | POLLNVAL) != 0
                connection.service(readable: readable, writable: writable)
            }
        }
    }
}
