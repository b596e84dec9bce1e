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

    @Test func aRecentReadingIsKeptAndAnOldOneReadAgain() async throws {
        let source = Source()
        let reading = RecentReading<Int>(maxAge: .seconds(2))
        #expect(try await reading.value { _ in try await source.read() } == 1)
        source.value.store(2, ordering: .relaxed)
        #expect(try await reading.value { _ in try await source.read() } == 1)
        #expect(source.reads.load(ordering: .relaxed) == 1)
        try await Task.sleep(for: .milliseconds(2200))
        #expect(try await reading.value { _ in try await source.read() } == 2)
        #expect(source.reads.load(ordering: .relaxed) == 2)
        // A writer that relies on the value reads it however recent.
        source.value.store(3, ordering: .relaxed)
        #expect(try await reading.value(forceCheck: true) { _ in try await source.read() } == 3)
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
        let reading = RecentReading<Int>(maxAge: .seconds(60))
        let values = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<20 { group.addTask { try await reading.value { _ in try await source.read() } } }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(values == Array(repeating: 1, count: 20))
        #expect(source.reads.load(ordering: .relaxed) == 1)
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
