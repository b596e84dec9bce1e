import Dates
import Deadlines
import Letters
import LineProtocol
import Logging
import Postgres
import Store
import Workflow

/// What every session shares: the stores over one pool, and the logger.
public struct ServerContext: Sendable {
    public let pool: PostgresPool
    public let users: UserStore
    /// The users table's version, so sessions see revocations before their next command.
    public let credentials: CredentialsWatch
    /// The holiday calendars, rebuilt when an admin changes them.
    public let calendars: CalendarCache
    /// The authority served: its home division picks default calendars.
    public let authority: Authority
    public let requests: RequestStore
    /// Letters to requesters (written with the actions; read here).
    public let letters: LetterStore
    /// Statistics as they stood on a date.
    public let stats: StatsStore
    /// Commands counted and timed for `/metrics`, when `serve --metrics-listen` is given.
    public let metrics: ServerMetrics?
    /// Today's date for the authority (Europe/London), asked afresh for every command.
    public let today: @Sendable () -> CivilDate
    public let logger: Logger

    public init(
        pool: PostgresPool, logger: Logger, authority: Authority = Authority(), calendarMaxAge: Duration = .seconds(1),
        today: @escaping @Sendable () -> CivilDate = { LondonDate.today() }, letters: LetterWriter = .standard(),
        metrics: ServerMetrics? = nil, heldRows: Int = ServerContext.defaultHeldRows
    ) {
        self.metrics = metrics
        self.pool = pool
        self.users = UserStore(pool: pool)
        self.credentials = CredentialsWatch(pool: pool)
        let calendars = CalendarCache(store: HolidayStore(pool: pool), maxAge: calendarMaxAge)
        self.calendars = calendars
        self.authority = authority
        self.requests = RequestStore(
            pool: pool, calendars: calendars, authority: authority, letters: letters, heldRows: HeldRows(capacity: heldRows))
        self.letters = LetterStore(pool: pool)
        self.stats = StatsStore(pool: pool)
        self.today = today
        self.logger = logger
    }

    /// Requests a server holds as it last read or wrote them (`serve --held-rows`): several
    /// times a disclosure unit's open caseload, at about 1 KB each.
    public static let defaultHeldRows = 10_000

    /// An error as the log may show it: a database error without its detail (`withoutDetail`).
    static func loggable(_ error: any Error) -> String {
        (error as? PostgresError)?.withoutDetail ?? "\(error)"
    }

    /// The protocol answer for an error thrown by the store or the database: its code from
    /// `CodedError`. Details of database and internal failures go to the log, never to the client;
    /// internal ones are logged with a correlation id the reply quotes.
    func reply(for error: any Error, connectionID: UInt64) -> Reply {
        if let error = error as? ProtocolError { return .error(error) }
        let code = (error as? any CodedError)?.code ?? .internal
        switch code {
        case .timeout:
            return .error(.timeout, "the command took longer than the server's time limit; nothing was changed")
        case .unavailable:
            logger.warning("database unavailable", metadata: ["connection": "\(connectionID)", "error": "\(Self.loggable(error))"])
            return .error(.unavailable, "the database is unavailable; nothing was changed, retry later")
        case .internal:
            let correlation = String(UInt64.random(in: 0...UInt64.max), radix: 16)
            logger.error(
                "internal error", metadata: ["connection": "\(connectionID)", "correlation": "\(correlation)", "error": "\(Self.loggable(error))"])
            return .error(.internal, "internal error \(correlation); see the server log")
        case .badFormat, .lineTooLong, .unknownCommand, .badArgument, .authRequired, .authFailed, .denied, .notFound, .conflict,
            .idempotencyMismatch, .invalidTransition, .busy:
            return .error(code, "\(error)")
        }
    }
}
