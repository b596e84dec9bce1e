import Synchronization
import Testing

@testable import Store

/// `RecentReading`, the one rule for what a running process keeps from the database: read again
/// at most once per `maxAge`, the last reading kept while reading fails, one reading shared.
@Suite struct RecentReadingTests {
    struct Down: Error {}

    /// A reader that counts its reads and answers `value`, or fails while `failing`.
    final class Source: Sendable {
        let reads = Atomic(0)
        let value = Atomic(1)
        let failing = Atomic(false)

        func read() async throws -> Int {
            reads.add(1, ordering: .relaxed)
            try await Task.sleep(for: .milliseconds(20))
            if failing.load(ordering: .relaxed) { throw Down() }
            return value.load(ordering: .relaxed)
        }
    }

    // No test here waits for time to pass: beside the whole suite on two cores a task can wait
    // seconds for a thread, so "recent" is an hour and "old" is any age at all.
    /// Callers arriving, readings started, and whether a reading may go on.
    final class Gate: Sendable {
        let entered = Atomic(0)
        let starts = Atomic(0)
        let open = Atomic(false)
    }

    @Test func aRecentReadingIsKeptAndAnOldOneReadAgain() async throws {
        let source = Source()
        let recent = RecentReading<Int>(maxAge: .seconds(3600))
        #expect(try await recent.value { _ in try await source.read() } == 1)
        source.value.store(2, ordering: .relaxed)
        #expect(try await recent.value { _ in try await source.read() } == 1)
        #expect(source.reads.load(ordering: .relaxed) == 1)
        // A writer that relies on the value reads it however recent.
        #expect(try await recent.value(forceCheck: true) { _ in try await source.read() } == 2)
        let old = RecentReading<Int>(maxAge: .zero)
        #expect(try await old.value { _ in try await source.read() } == 2)
        source.value.store(3, ordering: .relaxed)
        #expect(try await old.value { _ in try await source.read() } == 3)
        #expect(source.reads.load(ordering: .relaxed) == 4)
    }

    @Test func theLastReadingStandsWhileReadingFailsUnlessChecked() async throws {
        let source = Source()
        let reading = RecentReading<Int>(maxAge: .zero)
        source.failing.store(true, ordering: .relaxed)
        await #expect(throws: Down.self) { try await reading.value { _ in try await source.read() } }
        source.failing.store(false, ordering: .relaxed)
        #expect(try await reading.value { _ in try await source.read() } == 1)
        source.failing.store(true, ordering: .relaxed)
        #expect(try await reading.value { _ in try await source.read() } == 1)
        await #expect(throws: Down.self) { try await reading.value(forceCheck: true) { _ in try await source.read() } }
        // Forgotten, there is nothing to fall back on.
        reading.forget()
        await #expect(throws: Down.self) { try await reading.value { _ in try await source.read() } }
    }

    @Test func callersThatFindItStaleTogetherShareOneReading() async throws {
        let source = Source()
        let gate = Gate()
        let reading = RecentReading<Int>(maxAge: .seconds(3600))
        let callers = Task {
            try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        gate.entered.add(1, ordering: .relaxed)
                        return try await reading.value { _ in
                            // Held until the test has counted the readings started: while this
                            // one is under way, no caller may start another.
                            gate.starts.add(1, ordering: .relaxed)
                            while !gate.open.load(ordering: .relaxed) { try await Task.sleep(for: .milliseconds(5)) }
                            return try await source.read()
                        }
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
        }
        for _ in 0..<6000 where gate.entered.load(ordering: .relaxed) < 20 || gate.starts.load(ordering: .relaxed) < 1 {
            try await Task.sleep(for: .milliseconds(5))
        }
        try await Task.sleep(for: .milliseconds(50))
        // One reading under way, held at the gate: the other nineteen wait for it.
        let startedBeforeTheGate = gate.starts.load(ordering: .relaxed)
        gate.open.store(true, ordering: .relaxed)
        let values = try await callers.value
        #expect(values == Array(repeating: 1, count: 20))
        #expect(startedBeforeTheGate == 1, "\(startedBeforeTheGate) readings under way at once")
    }

    @Test func aCombinedReadingNeverMovesBackwards() async throws {
        let source = Source()
        let reading = RecentReading<Int>(maxAge: .zero) { before, read in max(before ?? read, read) }
        reading.record(5)
        // The database's older answer (1) does not undo what a notification said (5).
        #expect(try await reading.value { _ in try await source.read() } == 5)
        source.value.store(7, ordering: .relaxed)
        #expect(try await reading.value { _ in try await source.read() } == 7)
        #expect(reading.last == 7)
    }

    @Test func theReaderIsGivenTheLastReading() async throws {
        let reading = RecentReading<Int>(maxAge: .zero)
        #expect(try await reading.value { last in (last ?? 0) + 1 } == 1)
        #expect(try await reading.value { last in (last ?? 0) + 1 } == 2)
    }
}
