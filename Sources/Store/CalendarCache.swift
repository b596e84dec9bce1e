import Deadlines
import NIOConcurrencyHelpers

/// The calendars as the holiday table has them, rebuilt when it changes.
///
/// Checks the calendar version at most once per `maxAge`, so a running server
/// sees an admin's change within that time without a restart. When the
/// database cannot be reached it keeps answering from the calendars it has.
public final class CalendarCache: Sendable {
    private struct Entry {
        var version: Int
        var calendars: CalendarSet
        var checked: ContinuousClock.Instant
    }

    public let store: HolidayStore
    public let maxAge: Duration
    private let entry = NIOLockedValueBox<Entry?>(nil)
    /// The one check or load under way: callers that find the cache stale at the same moment
    /// share it (forty requests arriving together at a cold server make one load, not forty).
    private let inFlight = NIOLockedValueBox<Task<Entry, any Error>?>(nil)

    public init(store: HolidayStore, maxAge: Duration = .seconds(1)) {
        self.store = store
        self.maxAge = maxAge
    }

    /// Current calendars (checked against the database if the last check is older than `maxAge`).
    public func current() async throws -> CalendarSet {
        try await versioned().calendars
    }

    /// Current calendars with the version they were built from (writers pass it to the
    /// database, which refuses the write if the calendar changed meanwhile).
    public func versioned(forceCheck: Bool = false) async throws -> (version: Int, calendars: CalendarSet) {
        let now = ContinuousClock.now
        let cached = entry.withLockedValue { $0 }
        if let cached, !forceCheck, now - cached.checked < maxAge { return (cached.version, cached.calendars) }
        do {
            let fresh = try await refresh(cached: cached, at: now).value
            return (fresh.version, fresh.calendars)
        } catch {
            if let cached, !forceCheck { return (cached.version, cached.calendars) }
            throw error
        }
    }

    /// The check (and load, when the version moved) under way, or a new one.
    private func refresh(cached: Entry?, at now: ContinuousClock.Instant) -> Task<Entry, any Error> {
        inFlight.withLockedValue { running in
            if let running { return running }
            let task = Task { [store, entry, inFlight] () throws -> Entry in
                defer { inFlight.withLockedValue { $0 = nil } }
                if let cached, try await store.version() == cached.version {
                    entry.withLockedValue { $0?.checked = now }
                    return Entry(version: cached.version, calendars: cached.calendars, checked: now)
                }
                let (version, calendars) = try await store.loadCalendars()
                let fresh = Entry(version: version, calendars: calendars, checked: now)
                entry.withLockedValue { $0 = fresh }
                return fresh
            }
            running = task
            return task
        }
    }

    /// The version of the calendars last loaded (nil before the first load).
    public var loadedVersion: Int? { entry.withLockedValue { $0?.version } }
}
