import CLibPQ
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// One libpq connection. All calls block the calling thread.
///
/// Not safe for concurrent use: one thread at a time, which `PostgresPool`
/// guarantees by leasing a connection to one body at a time. Every
/// statement goes through `PQexecParams` with text parameters; only
/// `executeScript` (for trusted migration files) uses the simple protocol.
public final class PostgresConnection: @unchecked Sendable {
    private var handle: OpaquePointer?

    /// The libpq handle, for the extensions in this module (notifications).
    var rawHandle: OpaquePointer? { handle }

    /// Session settings applied on every (re)connect: UTC and ISO dates.
    static let sessionSetup =
        "SET client_min_messages TO warning; SET TIME ZONE 'UTC'; SET DateStyle TO 'ISO, YMD'; SET client_encoding TO 'UTF8'; SET IntervalStyle TO 'iso_8601'"

    /// Opens a connection. `url` is a libpq connection string or URI; an empty
    /// string uses libpq's defaults (`PGHOST`, `PGPORT`, `PGDATABASE`, ...).
    /// `settings` are extra `SET` statements run once connected (trusted text).
    public init(url: String, settings: [String] = []) throws(PostgresError) {
        let keywords = ["connect_timeout", "fallback_application_name", "dbname"]
        let values = ["10", "foiflow", url]
        let conn = PostgresConnection.withCStrings(keywords) { kw in
            PostgresConnection.withCStrings(values) { vals in
                PQconnectdbParams(kw, vals, 1)
            }
        }
        guard let conn else { throw PostgresError(.connectionFailed, "out of memory opening a connection") }
        self.handle = conn
        // Notices (e.g. "already exists, skipping") are not errors: keep them off stderr.
        PQsetNoticeProcessor(conn, { _, _ in }, nil)
        guard PQstatus(conn) == CONNECTION_OK else {
            let message = PostgresConnection.trimmed(PQerrorMessage(conn))
            PQfinish(conn)
            self.handle = nil
            throw PostgresError.connecting(message)
        }
        self.settings = settings
        try executeScript(([PostgresConnection.sessionSetup] + settings).joined(separator: "; "))
    }

    private let settings: [String]

    deinit { close() }

    /// Closes the connection; later calls fail with `connectionLost`.
    /// Breaks the connection from another thread (its socket shut down), so a call blocked on
    /// a database that no longer answers (a frozen backend, a dead network) returns with an
    /// error; the next lease reconnects. A statement timeout cannot do this: it is the frozen
    /// backend that would have to enforce it.
    public func interrupt() {
        guard let handle else { return }
        let socket = PQsocket(handle)
        if socket >= 0 { _ = Glibc.shutdown(socket, Int32(SHUT_RDWR)) }
    }

    public func close() {
        if let handle { PQfinish(handle) }
        handle = nil
    }

    /// The server process id of this session (for `pg_terminate_backend`, logs).
    public var backendPID: Int {
        handle.map { Int(PQbackendPID($0)) } ?? 0
    }

    /// Whether the connection still looks usable, checked without a round
    /// trip: reads whatever the server sent (a termination notice, say).
    public var isHealthy: Bool {
        guard let handle, PQstatus(handle) == CONNECTION_OK else { return false }
        // A terminated backend sends a FATAL message, then closes: read while the
        // socket is readable, so that the close (EOF) is seen too, not just the message.
        var reads = 0
        repeat {
            guard PQconsumeInput(handle) == 1, PQstatus(handle) == CONNECTION_OK else { return false }
            reads += 1
        } while reads < 8 && PostgresConnection.isReadable(PQsocket(handle))
        return PQtransactionStatus(handle) == PQTRANS_IDLE
    }

    /// Whether `socket` has input (or EOF) waiting, without blocking.
    private static func isReadable(_ socket: Int32) -> Bool {
        guard socket >= 0 else { return false }
        var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, 0) > 0 && descriptor.revents != 0
    }

    /// Reconnects with the original parameters if the connection is not healthy.
    public func ensureHealthy() throws(PostgresError) {
        if isHealthy { return }
        guard let handle else { throw PostgresError(.connectionLost, "connection is closed") }
        if PQstatus(handle) == CONNECTION_OK, PQtransactionStatus(handle) != PQTRANS_IDLE {
            // Left inside a transaction (a body that did not finish): roll it back.
            if (try? query("ROLLBACK")) != nil, isHealthy { return }
        }
        PQreset(handle)
        prepared.removeAll()  // a new session has none
        guard PQstatus(handle) == CONNECTION_OK else {
            throw PostgresError(.connectionFailed, "cannot reconnect to PostgreSQL: \(PostgresConnection.trimmed(PQerrorMessage(handle)))")
        }
        try executeScript(([PostgresConnection.sessionSetup] + settings).joined(separator: "; "))
    }

    /// Runs one statement, its interpolated values sent as parameters, and returns its rows.
    ///
    /// Data-manipulating statements (SELECT, WITH, INSERT, UPDATE, DELETE) are prepared
    /// once per connection and then executed by name, so PostgreSQL does not parse and
    /// plan them again on every call (for foiflow's larger statements that is most of
    /// their cost). Other statements run unprepared.
    @discardableResult
    public func query(_ query: PostgresQuery) throws(PostgresError) -> PostgresResult {
        try self.query(query.sql, query.binds)
    }

    /// Runs one statement with parameters numbered by hand (`$1`, `$2`, ...); prefer
    /// `query(_: PostgresQuery)`, which numbers them for you.
    @discardableResult
    public func query(_ sql: String, _ parameters: [PostgresBind]) throws(PostgresError) -> PostgresResult {
        guard let handle else { throw PostgresError(.connectionLost, "connection is closed") }
        let texts = try PostgresConnection.texts(of: parameters)
        if let name = try preparedName(for: sql, parameterCount: texts.count) {
            let raw: OpaquePointer? = PostgresConnection.withOptionalCStrings(texts) { values in
                PQexecPrepared(handle, name, Int32(texts.count), values, nil, nil, 0)
            }
            return try check(raw)
        }
        let raw: OpaquePointer? = PostgresConnection.withOptionalCStrings(texts) { values in
            PQexecParams(handle, sql, Int32(texts.count), nil, values, nil, nil, 0)
        }
        return try check(raw)
    }

    /// Parameters as the text libpq sends; a NUL, which PostgreSQL text cannot hold, is refused.
    static func texts(of parameters: [PostgresBind]) throws(PostgresError) -> [String?] {
        let texts = parameters.map { $0?.postgresText }
        if let bad = texts.firstIndex(where: { $0?.utf8.contains(0) == true }) {
            throw PostgresError(.invalidParameter, "parameter $\(bad + 1) contains a NUL character, which PostgreSQL text cannot hold")
        }
        return texts
    }

    /// Names of the statements prepared on this session, by SQL text.
    private var prepared: [String: String] = [:]
    /// The most statements prepared per connection; beyond, statements run unprepared.
    static let maxPrepared = 256

    /// The prepared statement's name for `sql`, preparing it on first use;
    /// `nil` when it should run unprepared.
    private func preparedName(for sql: String, parameterCount: Int) throws(PostgresError) -> String? {
        if let name = prepared[sql] { return name }
        guard prepared.count < Self.maxPrepared, Self.isPreparable(sql), let handle else { return nil }
        let name = "foiflow_\(prepared.count + 1)"
        _ = try check(PQprepare(handle, name, sql, Int32(parameterCount), nil))
        prepared[sql] = name
        return name
    }

    /// Statements PostgreSQL can prepare: queries and data changes.
    static func isPreparable(_ sql: String) -> Bool {
        let head = sql.drop(while: { $0 == " " || $0 == "\n" || $0 == "\t" }).prefix(6).uppercased()
        return ["SELECT", "WITH", "INSERT", "UPDATE", "DELETE"].contains { head.hasPrefix($0) }
    }

    /// Runs a script of one or more statements with no parameters, for
    /// trusted SQL only (migration files, fixed session settings).
    public func executeScript(_ sql: String) throws(PostgresError) {
        guard let handle else { throw PostgresError(.connectionLost, "connection is closed") }
        _ = try check(PQexec(handle, sql))
    }

    /// Runs `body` inside BEGIN/COMMIT; any error thrown rolls back and is rethrown.
    @discardableResult
    public func withTransaction<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        try query("BEGIN")
        do {
            let value = try body(self)
            try query("COMMIT")
            return value
        } catch {
            if isOpenAndInTransaction { _ = try? query("ROLLBACK") }
            throw error
        }
    }

    private var isOpenAndInTransaction: Bool {
        guard let handle, PQstatus(handle) == CONNECTION_OK else { return false }
        return PQtransactionStatus(handle) != PQTRANS_IDLE
    }

    /// Copies rows into `table` with `COPY ... FROM STDIN` (text format);
    /// `lines` are already-escaped COPY text lines, each ending with a newline.
    public func copyIn(_ copyStatement: String, lines: some Sequence<String>) throws(PostgresError) {
        guard let handle else { throw PostgresError(.connectionLost, "connection is closed") }
        let start = PQexec(handle, copyStatement)
        defer { if let start { PQclear(start) } }
        guard let start, PQresultStatus(start) == PGRES_COPY_IN else {
            _ = try check(start)
            throw PostgresError(.server, "COPY did not start")
        }
        var buffer = ""
        func flush() -> Bool {
            let ok = buffer.withCString { PQputCopyData(handle, $0, Int32(strlen($0))) } == 1
            buffer.removeAll(keepingCapacity: true)
            return ok
        }
        for line in lines {
            buffer += line
            if buffer.utf8.count >= 1 << 16, !flush() { break }
        }
        _ = flush()
        PQputCopyEnd(handle, nil)
        var failure: PostgresError?
        while let result = PQgetResult(handle) {
            do { _ = try check(result) } catch { failure = failure ?? error }
        }
        if let failure { throw failure }
    }

    // MARK: Results and errors

    private func check(_ raw: OpaquePointer?) throws(PostgresError) -> PostgresResult {
        guard let raw else {
            throw connectionError()
        }
        switch PQresultStatus(raw) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY, PGRES_COPY_IN:
            return PostgresResult(handle: raw)
        default:
            let error = serverError(raw)
            PQclear(raw)
            throw error
        }
    }

    private func connectionError() -> PostgresError {
        let message = handle.map { PostgresConnection.trimmed(PQerrorMessage($0)) } ?? "connection is closed"
        return PostgresError(.connectionLost, message.isEmpty ? "connection lost" : message)
    }

    private func serverError(_ result: OpaquePointer) -> PostgresError {
        PostgresConnection.serverError(result, connectionOK: handle.map { PQstatus($0) == CONNECTION_OK } ?? false)
    }

    /// The error a failed result reports; `connectionOK` false: the connection is gone, so
    /// the command reached no verdict (`connectionLost`).
    static func serverError(_ result: OpaquePointer, connectionOK: Bool) -> PostgresError {
        func field(_ code: Int32) -> String? {
            PQresultErrorField(result, code).map { String(cString: $0) }
        }
        let sqlState = field(Int32(UInt8(ascii: "C")))
        let message = field(Int32(UInt8(ascii: "M"))) ?? PostgresConnection.trimmed(PQresultErrorMessage(result))
        if !connectionOK {
            return PostgresError(.connectionLost, message.isEmpty ? "connection lost" : message, sqlState: sqlState)
        }
        return PostgresError(
            .server, message, sqlState: sqlState,
            detail: field(Int32(UInt8(ascii: "D"))),
            hint: field(Int32(UInt8(ascii: "H"))),
            constraint: field(Int32(UInt8(ascii: "n")))
        )
    }

    // MARK: C strings

    /// libpq's message on one line: its line breaks and tabs become single spaces.
    static func trimmed(_ text: UnsafePointer<CChar>?) -> String {
        guard let text else { return "" }
        return String(cString: text)
            .split(whereSeparator: { $0 == "\n" || $0 == "\t" || $0 == "\r" })
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
            .joined(separator: " ")
    }

    private static func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
        withOptionalCStrings(strings.map { Optional($0) } + [nil], body)
    }

    /// Calls `body` with the strings as an array of C strings (`nil` stays a null pointer):
    /// all of them copied into one buffer, one allocation for a statement's parameters
    /// rather than one each.
    static func withOptionalCStrings<R>(_ strings: [String?], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
        var bytes: [CChar] = []
        bytes.reserveCapacity(strings.reduce(0) { $0 + ($1?.utf8.count ?? 0) + 1 })
        var offsets: [Int?] = []
        offsets.reserveCapacity(strings.count)
        for string in strings {
            guard let string else {
                offsets.append(nil)
                continue
            }
            offsets.append(bytes.count)
            for byte in string.utf8 { bytes.append(CChar(bitPattern: byte)) }
            bytes.append(0)
        }
        return bytes.withUnsafeBufferPointer { storage in
            let pointers: [UnsafePointer<CChar>?] = offsets.map { offset in
                guard let offset, let base = storage.baseAddress else { return nil }
                return base + offset
            }
            return pointers.withUnsafeBufferPointer { buffer in
                guard let base = buffer.baseAddress else {
                    var none: UnsafePointer<CChar>? = nil
                    return withUnsafePointer(to: &none) { body($0) }
                }
                return body(base)
            }
        }
    }
}
