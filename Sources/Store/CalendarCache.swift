import Deadlines

/// The calendars as the holiday table has them, rebuilt when it changes.
///
/// Checks the calendar version at most once per `maxAge`, so a running server
/// sees an admin's change within that time without a restart. When the
/// database cannot be reached it keeps answering from the calendars it has.
public final class CalendarCache: Sendable {
    private struct Loaded {
        var version: Int
        var calendars: CalendarSet
    }

    public let store: HolidayStore
    private let reading: RecentReading<Loaded>

    public var maxAge: Duration { reading.maxAge }

    public init(store: HolidayStore, maxAge: Duration = .seconds(1)) {
        self.store = store
        self.reading = RecentReading(maxAge: maxAge)
    }

    /// Current calendars (checked against the database if the last check is older than `maxAge`).
    public func current() async throws -> CalendarSet {
        try await versioned().calendars
    }

    /// Current calendars with the version they were built from (writers pass it to the
    /// database, which refuses the write if the calendar changed meanwhile).
    public func versioned(forceCheck: Bool = false) async throws -> (version: Int, calendars: CalendarSet) {
        let loaded = try await reading.value(forceCheck: forceCheck) { [store] last in
            // The version first: the calendars are loaded again only when it moved.
            if let last, try await store.version() == last.version { return last }
            let (version, calendars) = try await store.loadCalendars()
            return Loaded(version: version, calendars: calendars)
        }
        return (loaded.version, loaded.calendars)
    }

    /// The version of the calendars last loaded (nil before the first load).
    public var loadedVersion: Int? { reading.last?.version }
}
