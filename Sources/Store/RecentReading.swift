import NIOConcurrencyHelpers

/// A value a long-running process keeps from the database and reads again at most once per
/// `maxAge`, so a change another process commits reaches it within that time, without a
/// restart. While the database cannot be reached the last reading stands. Callers that find
/// it stale at the same moment share one reading (forty commands arriving together at a cold
/// server make one load, not forty).
///
/// The one home of that rule for the calendars, the users table's version and the unit's details.
final class RecentReading<Value: Sendable>: Sendable {
    private struct Entry {
        var value: Value
        var checked: ContinuousClock.Instant
    }

    let maxAge: Duration
    private let entry = NIOLockedValueBox<Entry?>(nil)
    private let inFlight = NIOLockedValueBox<Task<Value, any Error>?>(nil)
    /// How a new reading joins the one before (by default it replaces it).
    private let combine: @Sendable (_ before: Value?, _ read: Value) -> Value

    init(maxAge: Duration, combine: @escaping @Sendable (_ before: Value?, _ read: Value) -> Value = { $1 }) {
        self.maxAge = maxAge
        self.combine = combine
    }

    /// The last reading while it is recent, else a new one by `read`, which is given the last
    /// reading (to check a version before loading everything again). When `read` fails the last
    /// reading stands, unless `forceCheck`: a writer about to rely on the value wants it checked.
    func value(forceCheck: Bool = false, read: @escaping @Sendable (_ last: Value?) async throws -> Value) async throws -> Value {
        let now = ContinuousClock.now
        let cached = entry.withLockedValue { $0 }
        if let cached, !forceCheck, now - cached.checked < maxAge { return cached.value }
        do {
            return try await reading(from: cached?.value, at: now, read).value
        } catch {
            if let cached, !forceCheck { return cached.value }
            throw error
        }
    }

    /// The reading under way, or a new one.
    private func reading(
        from last: Value?, at now: ContinuousClock.Instant, _ read: @escaping @Sendable (Value?) async throws -> Value
    ) -> Task<Value, any Error> {
        inFlight.withLockedValue { running in
            if let running { return running }
            let task = Task { [entry, inFlight, combine] () throws -> Value in
                defer { inFlight.withLockedValue { $0 = nil } }
                let fresh = try await read(last)
                return entry.withLockedValue { entry in
                    let value = combine(entry?.value, fresh)
                    entry = Entry(value: value, checked: now)
                    return value
                }
            }
            running = task
            return task
        }
    }

    /// Records a value learnt another way (a notification) as read at `instant`.
    func record(_ value: Value, at instant: ContinuousClock.Instant = .now) {
        entry.withLockedValue { entry in entry = Entry(value: combine(entry?.value, value), checked: instant) }
    }

    /// Forgets the last reading: the next `value` reads, and cannot fall back on it.
    func forget() {
        entry.withLockedValue { $0 = nil }
    }

    /// The last reading, however old (nil before the first).
    var last: Value? { entry.withLockedValue { $0?.value } }
}
