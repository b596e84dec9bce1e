import Foundation

/// A PostgreSQL cluster of a test's own (`scripts/cluster`), for tests that stop and start the
/// database under a running server.
public struct OwnCluster: Sendable {
    public let directory: String
    public let port: Int

    public var url: String { "postgresql://postgres@127.0.0.1:\(port)/postgres" }

    public static func start(_ label: String) async throws -> OwnCluster {
        let cluster = OwnCluster(
            directory: FileManager.default.temporaryDirectory.appendingPathComponent("foiflow-\(label)-\(UUID().uuidString)").path,
            port: freeLoopbackPort())
        try await cluster.run(["start", cluster.directory, String(cluster.port)])
        return cluster
    }

    public func stop() async throws { try await run(["stop", directory]) }

    public func restart() async throws { try await run(["start", directory, String(port)]) }

    /// Stops and removes it, in the background (for a `defer`).
    public func destroy() {
        let directory = self.directory
        Task { try? await OwnCluster.script(["destroy", directory]) }
    }

    private func run(_ arguments: [String]) async throws { try await Self.script(arguments) }

    /// Runs `scripts/cluster arguments...`; gives up (and kills it) after two minutes; throws
    /// with its output unless it succeeds.
    private static func script(_ arguments: [String]) async throws {
        let script = TestDatabase.packageRoot.appendingPathComponent("scripts/cluster").path
        let outcome = try await RunningProcess(executable: URL(fileURLWithPath: "/bin/bash"), arguments: [script] + arguments, environment: [:])
            .wait(timeout: .seconds(120))
        guard outcome.status == 0 else {
            throw TestSetupError("scripts/cluster \(arguments.joined(separator: " ")): \(outcome.stdout)\(outcome.stderr)")
        }
    }
}
