// Server benchmark driver.
//   server-bench load URL COUNT                    COPY COUNT requests into a migrated database
//   server-bench run PORT TOKEN WORKLOAD CONNS SECS  drive `foiflow serve` and print TPS and latency (a thread per connection)
//   server-bench run1 PORT TOKEN WORKLOAD CONNS SECS the same from one thread with non-blocking sockets (create, act, show, pingone)
//   server-bench idle PORT CONNS PID               open CONNS idle connections and print the server's RSS
//   server-bench hold PORT TOKEN PID               SHOW every open request once (what the ACT workload acts on), so
//                                                  the server holds their rows; print the time and the server's RSS
//   server-bench subjects URL                      give every request a subject of four words (for `search`)
// WORKLOAD: create | act | show | explain | ping | risk | search | cost (run1 only: search, cost)
import Foundation

#if canImport(Glibc)
import Glibc
#endif

let arguments = Array(CommandLine.arguments.dropFirst())

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("server-bench: \(message)\n".utf8))
    exit(1)
}

/// Thread-safe accumulation of results across client threads.
final class Results: @unchecked Sendable {
    private let lock = NSLock()
    private var latencies: [Double] = []
    private var operations = 0
    private var failures: [String: Int] = [:]

    func add(_ local: [Double], operations count: Int, failures local2: [String: Int]) {
        lock.lock()
        latencies += local
        operations += count
        for (k, v) in local2 { failures[k, default: 0] += v }
        lock.unlock()
    }

    func report(_ label: String, seconds: Double) {
        lock.lock()
        defer { lock.unlock() }
        latencies.sort()
        func pct(_ p: Double) -> Double { latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))] }
        let failed = failures.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: ",")
        print(
            String(
                format: "%@ ops=%d tps=%.0f p50_ms=%.3f p99_ms=%.3f", label, operations, Double(operations) / seconds, pct(0.5) * 1000,
                pct(0.99) * 1000)
                + (failed.isEmpty ? "" : " errors=\(failed)"))
    }
}

func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

func run(port: Int, token: String, workload: String, connections: Int, seconds: Double) {
    let results = Results()
    let deadline = now() + seconds
    let group = DispatchGroup()
    for worker in 0..<connections {
        group.enter()
        let thread = Thread {
            defer { group.leave() }
            do {
                let client = try BenchClient(port: port)
                guard try client.call("AUTH \(token)").hasPrefix("OK") else { fail("AUTH failed") }
                var latencies: [Double] = []
                var count = 0
                var failures: [String: Int] = [:]
                var rng = SystemRandomNumberGenerator()
                while now() < deadline {
                    let started = now()
                    let status: String
                    switch workload {
                    case "create":
                        status = try client.call(#"CREATE foi received=2026-11-20 requester="Bench Requester" subject="Benchmark""#)
                    case "act":
                        // A random open request (every 20th row).
                        let i = 20 * Int.random(in: 1...50_000, using: &rng)
                        status = try client.call("ACT \(Loader.ref(i)) assign to=bench")
                    case "show":
                        status = try client.call("SHOW \(Loader.ref(Int.random(in: 1...1_000_000, using: &rng)))")
                    case "explain":
                        // One read, then the derivation day by day (about 30 lines back).
                        status = try client.call("EXPLAIN \(Loader.ref(Int.random(in: 1...1_000_000, using: &rng)))")
                    case "pingone":
                        status = try client.call("PING")
                    case "workday":
                        status = try client.call("WORKDAY ADD 2026-11-20 20")
                    case "risk":
                        status = try client.call("RISK within=5 limit=100")
                    case "ping":
                        // Pipelined: 1,000 PINGs in one write, then their replies.
                        try client.send(String(repeating: "PING\n", count: 1000))
                        for _ in 0..<999 { _ = try client.readLine() }
                        status = try client.readLine()
                        count += 999
                    default:
                        fail("unknown workload \(workload)")
                    }
                    latencies.append(now() - started)
                    count += 1
                    if !status.hasPrefix("OK") {
                        failures[String(status.split(separator: " ").prefix(2).joined(separator: " ")), default: 0] += 1
                    }
                    _ = worker
                }
                results.add(latencies, operations: count, failures: failures)
            } catch {
                results.add([], operations: 0, failures: ["\(error)": 1])
            }
        }
        thread.stackSize = 1 << 20
        thread.start()
    }
    group.wait()
    results.report("foiflow \(workload) conns=\(connections)", seconds: seconds)
}

func idle(port: Int, connections: Int, pid: Int) {
    var clients: [BenchClient] = []
    do {
        for _ in 0..<connections {
            let client = try BenchClient(port: port)
            guard try client.call("PING") == "OK pong" else { fail("no pong") }
            clients.append(client)
        }
    } catch {
        fail("opening idle connections: \(error)")
    }
    Thread.sleep(forTimeInterval: 1)
    let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
    let rss = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? "VmRSS: ?"
    print("foiflow idle conns=\(clients.count) server_\(rss.replacingOccurrences(of: "\t", with: " ").replacingOccurrences(of: "  ", with: ""))")
}

/// SHOWs each of the 50,000 open requests the `act` workload picks from, 500 to a write, as
/// officers read their cases before acting on them; the server then holds their rows.
func hold(port: Int, token: String, pid: Int) {
    let started = now()
    var shown = 0
    do {
        let client = try BenchClient(port: port)
        guard try client.call("AUTH \(token)").hasPrefix("OK") else { fail("AUTH failed") }
        for batch in stride(from: 1, through: 50_000, by: 500) {
            let last = min(batch + 499, 50_000)
            try client.send((batch...last).map { "SHOW \(Loader.ref(20 * $0))\n" }.joined())
            for _ in batch...last {
                guard try client.readStatus().hasPrefix("OK") else { fail("SHOW failed") }
                shown += 1
            }
        }
    } catch {
        fail("hold: \(error)")
    }
    let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
    let rss = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? "VmRSS: ?"
    print(
        String(format: "foiflow hold shown=%d secs=%.2f ", shown, now() - started)
            + "server_\(rss.replacingOccurrences(of: "\t", with: " ").replacingOccurrences(of: "  ", with: ""))")
}

switch arguments.first {
case "load":
    guard arguments.count == 3, let count = Int(arguments[2]) else { fail("usage: load URL COUNT") }
    do { try Loader.load(url: arguments[1], count: count) } catch { fail("load: \(error)") }
case "subjects":
    guard arguments.count == 2 else { fail("usage: subjects URL") }
    do { try Loader.setSubjects(url: arguments[1]) } catch { fail("subjects: \(error)") }
case "run":
    guard arguments.count == 6, let port = Int(arguments[1]), let conns = Int(arguments[4]), let secs = Double(arguments[5]) else {
        fail("usage: run PORT TOKEN WORKLOAD CONNS SECS")
    }
    run(port: port, token: arguments[2], workload: arguments[3], connections: conns, seconds: secs)
case "run1":
    guard arguments.count == 6, let port = Int(arguments[1]), let conns = Int(arguments[4]), let secs = Double(arguments[5]) else {
        fail("usage: run1 PORT TOKEN WORKLOAD CONNS SECS")
    }
    runMultiplexed(port: port, token: arguments[2], workload: arguments[3], connections: conns, seconds: secs)
case "idle":
    guard arguments.count == 4, let port = Int(arguments[1]), let conns = Int(arguments[2]), let pid = Int(arguments[3]) else {
        fail("usage: idle PORT CONNS PID")
    }
    idle(port: port, connections: conns, pid: pid)
case "hold":
    guard arguments.count == 4, let port = Int(arguments[1]), let pid = Int(arguments[3]) else { fail("usage: hold PORT TOKEN PID") }
    hold(port: port, token: arguments[2], pid: pid)
default:
    fail("usage: server-bench load|run|run1|idle|hold ...")
}
