import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How a child process ended, read without reaping it.
///
/// Foundation's `Process` on Linux learns that a child has exited when a socket it shares with
/// the child reaches end-of-file. The socket is created without close-on-exec, so another
/// process spawned at the same moment on another thread (a server a test starts, a daemon a
/// delivery command forks) can inherit it, and `isRunning` then stays `true` until that other
/// process exits too: a command that finished in a second looked hung for a minute. The kernel's
/// own record does not have that flaw. `waitid` with `WNOWAIT` reads it and leaves the child
/// for Foundation to reap, so the two never race for the exit status; once Foundation has
/// reaped it, Foundation's own answer is used.
public enum ChildProcess {
    /// What `waitid` says about a child that has ended.
    public enum Termination: Sendable, Equatable {
        /// It called `exit(code)`.
        case exited(Int32)
        /// A signal ended it.
        case signalled(Int32)

        /// The code, or the signal's number (as Foundation's `terminationStatus` reports it).
        public var status: Int32 {
            switch self {
            case .exited(let code), .signalled(let code): code
            }
        }
    }

    /// How `process` (started) ended, or `nil` while it is running (or stopped).
    public static func termination(of process: Process) -> Termination? {
        if !process.isRunning {
            switch process.terminationReason {
            case .exit: return .exited(process.terminationStatus)
            case .uncaughtSignal: return .signalled(process.terminationStatus)
            @unknown default: return .exited(process.terminationStatus)
            }
        }
        // Not reaped yet (or reaped a moment ago, when this finds no child: asked again, the
        // first branch answers).
        let pid = process.processIdentifier
        var info = siginfo_t()
        guard waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 else { return nil }
        #if canImport(Glibc)
        let reported = info._sifields._sigchld.si_pid
        let status = info._sifields._sigchld.si_status
        #else
        let reported = info.si_pid
        let status = info.si_status
        #endif
        guard reported == pid else { return nil }
        switch info.si_code {
        case Int32(CLD_EXITED): return .exited(status)
        case Int32(CLD_KILLED), Int32(CLD_DUMPED): return .signalled(status)
        default: return nil
        }
    }

    /// Waits, polling every `interval`, until `process` ends (its termination) or `deadline`
    /// passes (`nil`; the process is left running for the caller to stop).
    public static func wait(
        for process: Process, until deadline: ContinuousClock.Instant, polling interval: Duration = .milliseconds(10)
    ) async throws -> Termination? {
        while true {
            if let ended = termination(of: process) { return ended }
            if ContinuousClock.now > deadline { return nil }
            try await Task.sleep(for: interval)
        }
    }
}
