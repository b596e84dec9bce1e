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
            if let cached, try await store.version() == cached.version {
                entry.withLockedValue { $0?.checked = now }
                return (cached.version, cached.calendars)
            }
            let (version, calendars) = try await store.loadCalendars()
            entry.withLockedValue { $0 = Entry(version: version, calendars: calendars, checked: now) }
            return (version, calendars)
        } catch {
            if let cached, !forceCheck { return (cached.version, cached.calendars) }
            throw error
        }
    }

    /// The version of the calendars last loaded (nil before the first load).
    public var loadedVersion: Int? { entry.withLockedValue { $0?.version } }
}
