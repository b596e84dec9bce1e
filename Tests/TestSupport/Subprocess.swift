import ChildProcess
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Runs the real `foiflow` binary, as a user or cron would.
public enum Foiflow {
    /// What a finished run left behind.
    public struct Outcome: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String

        /// `stderr` less the line a honoured `FOIFLOW_TODAY_OVERRIDE` prints on every command.
        public var stderrBesidesDateNotice: String {
            stderr.split(separator: "\n", omittingEmptySubsequences: false)
                .filter { !$0.hasPrefix("foiflow: FOIFLOW_TODAY_OVERRIDE=yes: ") }.joined(separator: "\n")
        }
    }

    /// `$FOIFLOW_BIN`, else `.build/debug/foiflow` in the package.
    public static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["FOIFLOW_BIN"], !path.isEmpty { return URL(fileURLWithPath: path) }
        return TestDatabase.packageRoot.appendingPathComponent(".build/debug/foiflow")
    }

    /// Starts `foiflow arguments...` with `environment` added to (and `DATABASE_URL` removed from) ours.
    public static func start(_ arguments: [String], environment: [String: String] = [:]) throws -> RunningProcess {
        try RunningProcess(executable: binary, arguments: arguments, environment: environment)
    }

    /// Starts `foiflow serve` on a free loopback port with `extra` arguments and waits (up to
    /// ten seconds) until it accepts a connection; returns the server and that connection.
    ///
    /// Unless `extra` sets one, the statement limit is 30 seconds rather than 5: the whole suite
    /// runs at once on two cores, where a first CREATE on a new database once failed in CI (its
    /// reply went unrecorded; ERR TIMEOUT is the one reply load alone can cause). A test of the
    /// limit sets its own.
    public static func serve(environment: [String: String], extra: [String] = []) async throws -> (RunningProcess, LineClient) {
        let port = freeLoopbackPort()
        let limit = extra.contains("--statement-timeout") ? [] : ["--statement-timeout", "30000"]
        // Nor is a test that does not set the AUTH limit testing it (see ServerResilienceTests).
        let auth = extra.contains("--auth-timeout") ? [] : ["--auth-timeout", "300"]
        let server = try start(["serve", "--listen", "127.0.0.1:\(port)"] + limit + auth + extra, environment: environment)
        for _ in 0..<200 {
            if let client = try? LineClient(port: port) { return (server, client) }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestSetupError("foiflow serve did not listen: \(server.stderrSoFar)")
    }

    /// Runs `foiflow arguments...` to completion (at most `timeout`).
    public static func run(_ arguments: [String], environment: [String: String] = [:], timeout: Duration = .seconds(60)) async throws -> Outcome {
        let process = try start(arguments, environment: environment)
        return try await process.wait(timeout: timeout)
    }
}

/// Runs another program (headless Chromium, a parser) found on `PATH`.
public enum Program {
    /// The program's path on `PATH`, or `nil`.
    public static func find(_ name: String) -> URL? {
        for folder in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let url = URL(fileURLWithPath: String(folder)).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return nil
    }

    /// Runs `name arguments...` to completion (at most `timeout`); throws when it is not installed.
    public static func run(_ name: String, _ arguments: [String], timeout: Duration = .seconds(120)) async throws -> Foiflow.Outcome {
        guard let executable = find(name) else { throw TestSetupError("\(name) is not installed (scripts/test installs it)") }
        return try await RunningProcess(executable: executable, arguments: arguments, environment: [:]).wait(timeout: timeout)
    }
}

/// A child process whose output goes to temporary files; waiting never blocks a thread.
public final class RunningProcess: @unchecked Sendable {
    let process = Process()
    let outURL: URL
    let errURL: URL

    /// Starts `executable arguments...` with `environment` added to this process's own (less `DATABASE_URL`).
    public init(executable: URL, arguments: [String], environment: [String: String]) throws {
        let tmp = FileManager.default.temporaryDirectory
        outURL = tmp.appendingPathComponent("foiflow-out-\(UUID().uuidString)")
        errURL = tmp.appendingPathComponent("foiflow-err-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        process.executableURL = executable
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "DATABASE_URL")
        for (key, value) in environment { env[key] = value }
        process.environment = env
        process.standardInput = FileHandle.nullDevice
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // The child has its own copies: ours are closed now, not whenever the Process is freed
        // (a test that runs a hundred commands would otherwise run out of descriptors).
        try? out.close()
        try? err.close()
    }

    /// A test that fails half-way leaves no process behind: one still running is killed.
    deinit {
        if termination == nil { kill(process.processIdentifier, SIGKILL) }
    }

    /// How the process ended, or `nil` while it runs: from the kernel, not `Process.isRunning`,
    /// which stays `true` while any process spawned at the same moment (a server another test
    /// started) holds Foundation's exit-watching socket. Two `migrate`s that had finished were
    /// waited for until their 60 s ran out that way in CI.
    public var termination: ChildProcess.Termination? { ChildProcess.termination(of: process) }

    public var pid: Int32 { process.processIdentifier }

    /// Sends `signal` (e.g. SIGTERM).
    public func signal(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// Standard error so far.
    public var stderrSoFar: String { (try? String(contentsOf: errURL, encoding: .utf8)) ?? "" }

    /// Waits for exit, polling; kills the process and throws after `timeout`.
    public func wait(timeout: Duration = .seconds(60)) async throws -> Foiflow.Outcome {
        guard let ended = try await ChildProcess.wait(for: process, until: .now + timeout) else {
            process.terminate()
            throw TestSetupError("foiflow \(process.arguments ?? []) did not finish within \(timeout)")
        }
        defer {
            try? FileManager.default.removeItem(at: outURL)
            try? FileManager.default.removeItem(at: errURL)
        }
        return Foiflow.Outcome(
            status: ended.status,
            stdout: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOf: errURL, encoding: .utf8)) ?? "")
    }
}

/// A TCP port on 127.0.0.1 that was free a moment ago.
public func freeLoopbackPort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
    _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
    return Int(UInt16(bigEndian: address.sin_port))
}
