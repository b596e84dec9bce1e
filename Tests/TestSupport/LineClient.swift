#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A plain TCP client for protocol tests: real sockets, no framework.
/// Reads never block a thread (tests run on Swift's small cooperative pool,
/// which the server under test needs too); each gives up after `timeoutSeconds`: 30 by default,
/// since the whole suite runs at once on two cores and a test here checks what a reply says,
/// not how soon it comes (a test of a deadline measures it with a clock).
public final class LineClient {
    private let fd: Int32
    private var buffer: [UInt8] = []
    public private(set) var sawEOF = false

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public init(host: String = "127.0.0.1", port: Int, timeoutSeconds: Int = 30) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        self.timeout = .seconds(timeoutSeconds)
        guard fd >= 0 else { throw Failure(description: "socket() failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, host, &address.sin_addr)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            // deinit closes the socket.
            throw Failure(description: "cannot connect to \(host):\(port)")
        }
    }

    private let timeout: Duration

    deinit { if fd >= 0 { close(fd) } }

    /// Sends raw bytes.
    public func send(bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw Failure(description: "send failed") }
            sent += n
        }
    }

    /// Sends raw bytes without blocking a thread: while the socket's buffer is full (a server
    /// reading slowly), waits for room 2 ms at a time, for at most the client's timeout. For
    /// sends larger than the buffer; `send` blocks the calling thread until they are taken.
    public func write(bytes: [UInt8]) async throws {
        var sent = 0
        var deadline = ContinuousClock.now + timeout
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
            if n > 0 {
                sent += n
                deadline = ContinuousClock.now + timeout
                continue
            }
            guard n < 0, errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR else { throw Failure(description: "send failed") }
            guard ContinuousClock.now < deadline else { throw Failure(description: "send timed out after \(timeout)") }
            try await Task.sleep(for: .milliseconds(2))
        }
    }

    /// Sends text as UTF-8.
    public func send(_ text: String) throws { try send(bytes: Array(text.utf8)) }

    /// Closes the sending side (the server sees end of input).
    public func shutdownWrite() { shutdown(fd, Int32(SHUT_WR)) }

    /// The next line without its LF; throws on timeout or EOF.
    public func readLine() async throws -> String {
        while true {
            if let lf = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[..<lf], as: UTF8.self)
                buffer.removeSubrange(...lf)
                return line
            }
            guard try await fill() else {
                throw Failure(description: "connection closed before a full line (have \(String(decoding: buffer, as: UTF8.self).debugDescription))")
            }
        }
    }

    /// Sends `line` and returns the next line, waiting on the calling thread (`poll`): for a
    /// client driven from a thread of its own, off the cooperative pool (`offThePool`).
    public func callWaiting(_ line: String) throws -> String {
        try send(line + "\n")
        let deadline = ContinuousClock.now + timeout
        while true {
            if let lf = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let reply = String(decoding: buffer[..<lf], as: UTF8.self)
                buffer.removeSubrange(...lf)
                return reply
            }
            var ready = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            _ = poll(&ready, 1, 100)
            var chunk = [UInt8](repeating: 0, count: 4096)
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if n > 0 {
                buffer.append(contentsOf: chunk[..<n])
            } else if n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                sawEOF = true
                throw Failure(description: "connection closed before a full line")
            } else if ContinuousClock.now >= deadline {
                throw Failure(description: "read timed out after \(timeout)")
            }
        }
    }

    /// Data lines (`* ...`) up to and including the status line.
    public func readReply() async throws -> (records: [String], status: String) {
        var records: [String] = []
        while true {
            let line = try await readLine()
            if line.hasPrefix("* ") { records.append(line) } else { return (records, line) }
        }
    }

    /// Sends one line and returns the status line of its reply.
    @discardableResult
    public func call(_ line: String) async throws -> String {
        try send(line + "\n")
        return try await readReply().status
    }

    /// Reads until the server closes; returns what came. Throws on timeout.
    public func readToEOF() async throws -> String {
        while try await fill() {}
        defer { buffer.removeAll() }
        return String(decoding: buffer, as: UTF8.self)
    }

    /// Reads once, waiting without blocking a thread; false at EOF.
    private func fill() async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if n > 0 {
                buffer.append(contentsOf: chunk[..<n])
                return true
            }
            if n == 0 || errno == ECONNRESET {
                sawEOF = true
                return false
            }
            guard errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR else {
                throw Failure(description: "read failed (errno \(errno))")
            }
            guard ContinuousClock.now < deadline else { throw Failure(description: "read timed out after \(timeout)") }
            try await Task.sleep(for: .milliseconds(2))
        }
    }
}
