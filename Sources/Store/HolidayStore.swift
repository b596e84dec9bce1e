import Dates
import Deadlines
import Postgres
import Workflow

/// A holiday as stored, with where it came from.
public struct StoredHoliday: Sendable, Equatable {
    public var holiday: Holiday
    /// `rules`, `import` or `admin`.
    public var source: String
}

/// What an import did.
public struct HolidayImportReport: Sendable, Equatable {
    /// Holidays that were not in the table before.
    public var added: [Holiday]
    /// Days of the file already listed (their stored titles are kept).
    public var alreadyPresent: Int
    /// Open requests whose due date moved.
    public var moved: [String]
}

/// The bank-holiday table: listing, admin changes (audited) and imports.
///
/// Every change bumps `calendar_state.version` (a trigger), so servers
/// rebuild their calendars; changes run in one transaction each.
public struct HolidayStore: Sendable {
    /// The years the table holds; outside them the rules alone apply.
    public static let storedYears = 1990...2100

    public let pool: PostgresPool

    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// Holidays, by date then division, optionally for one year and/or division.
    public func list(year: Int? = nil, division: Division? = nil) async throws -> [StoredHoliday] {
        try await pool.withConnection { connection in
            try connection.query(
                """
                SELECT division, date, title, substitute, source FROM holidays
                WHERE (\(year)::int IS NULL OR extract(year FROM date) = \(year)::int)
                  AND (\(division?.rawValue)::text IS NULL OR division = \(division?.rawValue)::text)
                ORDER BY date, array_position(ARRAY['england-and-wales', 'scotland', 'northern-ireland'], division)
                """
            ).rows.map(HolidayStore.stored(from:))
        }
    }

    /// Adds one holiday (source `admin`); a day already listed for that division is a conflict.
    /// Returns the open requests whose due date moved (each gets a `recalculate` event).
    @discardableResult
    public func add(_ holiday: Holiday, actor: String) async throws -> [String] {
        try HostileText.check(holiday.title, field: "title")
        try HolidayStore.checkRange(holiday.date)
        do {
            return try await pool.withTransaction { tx in
                try HolidayStore.lockCalendar(tx)
                try tx.query(
                    "INSERT INTO holidays (division, date, title, substitute, source) VALUES (\(holiday.division.rawValue), \(holiday.date), \(holiday.title), \(holiday.isSubstitute), 'admin')"
                )
                try tx.query(
                    "INSERT INTO holiday_changes (actor, action, division, date, title) VALUES (\(actor), 'add', \(holiday.division.rawValue), \(holiday.date), \(holiday.title))"
                )
                return try HolidayStore.recalculate(
                    tx, actor: actor, reason: "holiday added: \(holiday.date) \(holiday.division.rawValue) \(holiday.title)")
            }
        } catch let error as PostgresError where error.sqlState == SQLState.uniqueViolation {
            throw WorkflowError.conflict("\(holiday.date) is already a holiday in \(holiday.division.rawValue)")
        }
    }

    /// Removes one holiday; not found when the day is not listed for that division.
    /// Returns it with the open requests whose due date moved.
    public func remove(date: CivilDate, division: Division, actor: String) async throws -> (holiday: StoredHoliday, moved: [String]) {
        try HolidayStore.checkRange(date)
        return try await pool.withTransaction { tx in
            try HolidayStore.lockCalendar(tx)
            let removed = try tx.query(
                "DELETE FROM holidays WHERE division = \(division.rawValue) AND date = \(date) RETURNING division, date, title, substitute, source")
            guard let row = removed.first else {
                throw WorkflowError.notFound("\(date) is not a holiday in \(division.rawValue)")
            }
            let stored = try HolidayStore.stored(from: row)
            try tx.query(
                "INSERT INTO holiday_changes (actor, action, division, date, title) VALUES (\(actor), 'remove', \(division.rawValue), \(date), \(stored.holiday.title))"
            )
            let moved = try HolidayStore.recalculate(
                tx, actor: actor, reason: "holiday removed: \(date) \(division.rawValue) \(stored.holiday.title)")
            return (stored, moved)
        }
    }

    /// Loads GOV.UK holidays: adds the days not yet listed, keeps the rest as
    /// they are (titles only word a day; they do not change a deadline), never
    /// removes. Idempotent; all or nothing.
    public func importHolidays(_ holidays: [Holiday], actor: String, sourceName: String) async throws -> HolidayImportReport {
        try await pool.withTransaction { tx in
            try HolidayStore.lockCalendar(tx)
            var added: [Holiday] = []
            for holiday in holidays {
                let result = try tx.query(
                    """
                    INSERT INTO holidays (division, date, title, substitute, source)
                    VALUES (\(holiday.division.rawValue), \(holiday.date), \(holiday.title), \(holiday.isSubstitute), 'import')
                    ON CONFLICT (division, date) DO NOTHING
                    """)
                if result.affectedRows == 1 { added.append(holiday) }
            }
            let moved = added.isEmpty ? [] : try HolidayStore.recalculate(tx, actor: actor, reason: "holidays imported from \(sourceName)")
            let report = HolidayImportReport(added: added, alreadyPresent: holidays.count - added.count, moved: moved)
            try tx.query(
                "INSERT INTO holiday_changes (actor, action, detail) VALUES (\(actor), 'import', \("\(sourceName): \(report.added.count) added, \(report.alreadyPresent) already present"))"
            )
            return report
        }
    }

    /// The calendar version: it changes whenever the holidays do.
    public func version() async throws -> Int {
        try await pool.query("SELECT version FROM calendar_state WHERE id = 1").first?.decode(Int.self, "version") ?? 0
    }

    /// The calendars as the table has them now (rules outside the stored years), with their version.
    public func loadCalendars() async throws -> (version: Int, calendars: CalendarSet) {
        let (version, holidays) = try await pool.withConnection { connection -> (Int, [Holiday]) in
            try HolidayStore.read(connection)
        }
        return (version, CalendarSet.merging(stored: holidays, storedYears: HolidayStore.storedYears))
    }

    /// Reads version and holidays in one snapshot.
    static func read(_ connection: PostgresConnection) throws -> (Int, [Holiday]) {
        let result = try connection.query(
            """
            SELECT s.version, h.division, h.date, h.title, h.substitute, h.source
            FROM calendar_state s LEFT JOIN holidays h ON true
            WHERE s.id = 1
            """)
        var version = 0
        var holidays: [Holiday] = []
        holidays.reserveCapacity(result.count)
        for row in result.rows {
            version = try row.decode(Int.self, "version")
            if try row.decode(String?.self, "division") != nil {
                holidays.append(try stored(from: row).holiday)
            }
        }
        return (version, holidays)
    }

    /// The calendar lock, exclusive: writers computing due dates hold it shared
    /// (`foiflow_calendar_is`), so none commits a date from the old calendar after this.
    static func lockCalendar(_ tx: PostgresConnection) throws {
        try tx.query("SELECT pg_advisory_xact_lock(\(HolidayStore.calendarLockKey))")
    }

    /// The key `foiflow_calendar_is` takes shared.
    static let calendarLockKey = 7_419_238_475_002

    /// Open requests' due dates derived again over the holidays as this transaction now has them.
    static func recalculate(_ tx: PostgresConnection, actor: String, reason: String) throws -> [String] {
        let (_, holidays) = try read(tx)
        let calendars = CalendarSet.merging(stored: holidays, storedYears: storedYears)
        return try RequestStore.recalculateOpenRequests(tx, calendars: calendars, actor: actor, reason: reason)
    }

    static func checkRange(_ date: CivilDate) throws(WorkflowError) {
        guard storedYears.contains(date.year) else {
            throw .badArgument("date \(date) is outside \(WorkingDayCalendar.firstDate) to \(WorkingDayCalendar.lastDate)")
        }
    }

    static func stored(from row: PostgresRow) throws -> StoredHoliday {
        let name = try row.decode(String.self, "division")
        guard let division = Division(rawValue: name) else { throw WorkflowError.inconsistent("unknown division '\(name)' in the database") }
        return StoredHoliday(
            holiday: Holiday(
                date: try row.decode(CivilDate.self, "date"), division: division,
                title: try row.decode(String.self, "title"), isSubstitute: try row.decode(Bool.self, "substitute")),
            source: try row.decode(String.self, "source"))
    }
}
