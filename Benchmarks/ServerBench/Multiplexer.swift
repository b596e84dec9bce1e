import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The lighter load generator: one thread drives every connection over non-blocking sockets
/// with poll(2), one command outstanding per connection, as pgbench's own client does; so the
/// comparison with pgbench does not also measure 16 generator threads competing for 2 cores.
func runMultiplexed(port: Int, token: String, workload: String, connections: Int, seconds: Double) {
    final class Connection {
        let client: BenchClient
        var input: [UInt8] = []
        var sentAt = 0.0
        init(_ client: BenchClient) { self.client = client }
    }
    var all: [Connection] = []
    do {
        for _ in 0..<connections {
            let client = try BenchClient(port: port)
            guard try client.call("AUTH \(token)").hasPrefix("OK") else { fail("AUTH failed") }
            _ = fcntl(client.fd, F_SETFL, fcntl(client.fd, F_GETFL) | O_NONBLOCK)
            all.append(Connection(client))
        }
    } catch {
        fail("connecting: \(error)")
    }
    var rng = SystemRandomNumberGenerator()
    func command() -> String {
        switch workload {
        case "create": return #"CREATE foi received=2026-11-20 requester="Bench Requester" subject="Benchmark""# + "\n"
        case "act": return "ACT \(Loader.ref(20 * Int.random(in: 1...50_000, using: &rng))) assign to=bench\n"
        case "show": return "SHOW \(Loader.ref(Int.random(in: 1...1_000_000, using: &rng)))\n"
        case "pingone": return "PING\n"
        case "cost": return "COST \(Loader.ref(Int.random(in: 1...1_000_000, using: &rng)))\n"
        case "search":
            let a = Loader.words.randomElement(using: &rng) ?? "speed", b = Loader.words.randomElement(using: &rng) ?? "cameras"
            return "SEARCH text=\"\(a) \(b)\"\n"
        default: fail("workload \(workload) is not offered by run1 (create, act, show, pingone, search, cost)")
        }
    }
    func send(_ connection: Connection) {
        // One short line: the socket buffer always takes it whole.
        let line = Array(command().utf8)
        connection.sentAt = now()
        let n = line.withUnsafeBytes { Glibc.send(connection.client.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        if n != line.count { fail("short send") }
    }
    var latencies: [Double] = []
    latencies.reserveCapacity(1 << 20)
    var failures: [String: Int] = [:]
    let deadline = now() + seconds
    for connection in all { send(connection) }
    var descriptors = all.map { pollfd(fd: $0.client.fd, events: Int16(POLLIN), revents: 0) }
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while now() < deadline {
        let ready = poll(&descriptors, nfds_t(descriptors.count), 100)
        if ready <= 0 { continue }
        for index in descriptors.indices where descriptors[index].revents != 0 {
            let connection = all[index]
            let n = chunk.withUnsafeMutableBytes { recv(connection.client.fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 {
                if n < 0 && errno == EAGAIN { continue }
                fail("connection closed")
            }
            connection.input.append(contentsOf: chunk[..<n])
            // Data lines start "* "; the status line ends the reply.
            var start = 0
            var done = false
            while let lf = connection.input[start...].firstIndex(of: 10) {
                let isData = lf - start >= 2 && connection.input[start] == UInt8(ascii: "*") && connection.input[start + 1] == UInt8(ascii: " ")
                if !isData {
                    if !(connection.input[start...].starts(with: Array("OK".utf8))) {
                        let status = String(decoding: connection.input[start..<lf], as: UTF8.self)
                        failures[status.split(separator: " ").prefix(2).joined(separator: " "), default: 0] += 1
                    }
                    latencies.append(now() - connection.sentAt)
                    done = true
                }
                start = lf + 1
            }
            connection.input.removeFirst(start)
            if done { send(connection) }
        }
    }
    latencies.sort()
    func pct(_ p: Double) -> Double { latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))] }
    let failed = failures.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: ",")
    print(
        String(
            format: "foiflow %@ conns=%d ops=%d tps=%.0f p50_ms=%.3f p99_ms=%.3f (one-thread client)", workload, connections, latencies.count,
            Double(latencies.count) / seconds, pct(0.5) * 1000, pct(0.99) * 1000) + (failed.isEmpty ? "" : " errors=\(failed)"))
}
