import CLibPQ

/// The rows of one successful command, read in text format.
///
/// Owns the libpq result and frees it when released. Immutable once made,
/// so it may be read from any thread.
public final class PostgresResult: @unchecked Sendable {
    private let handle: OpaquePointer
    /// Number of rows.
    public let count: Int
    /// Column names, in order.
    public let columns: [String]
    /// Column types, in order.
    public let columnTypes: [PostgresType]

    init(handle: OpaquePointer) {
        self.handle = handle
        self.count = Int(PQntuples(handle))
        let n = Int(PQnfields(handle))
        var names: [String] = []
        var types: [PostgresType] = []
        names.reserveCapacity(n)
        types.reserveCapacity(n)
        for i in 0..<n {
            names.append(PQfname(handle, Int32(i)).map { String(cString: $0) } ?? "?column?")
            types.append(PostgresType(oid: UInt32(PQftype(handle, Int32(i)))))
        }
        self.columns = names
        self.columnTypes = types
    }

    deinit { PQclear(handle) }

    /// Rows affected by an INSERT/UPDATE/DELETE (0 when not reported).
    public var affectedRows: Int {
        guard let text = PQcmdTuples(handle) else { return 0 }
        return Int(String(cString: text)) ?? 0
    }

    /// The row at `index` (0-based).
    public subscript(index: Int) -> PostgresRow {
        PostgresRow(result: self, index: index)
    }

    /// All rows, in order.
    public var rows: [PostgresRow] {
        (0..<count).map { PostgresRow(result: self, index: $0) }
    }

    /// The first row, if any.
    public var first: PostgresRow? { count > 0 ? self[0] : nil }

    /// The first column named `name`. A scan, not a dictionary: results have a few dozen
    /// columns at most, and building a dictionary for every result cost more than it saved.
    func columnNumber(_ name: String) throws(PostgresError) -> Int {
        guard let i = columns.firstIndex(of: name) else {
            throw PostgresError(.decoding, "result has no column named '\(name)' (columns: \(columns.joined(separator: ", ")))")
        }
        return i
    }

    func rawText(row: Int, column: Int) -> String? {
        guard row >= 0, row < count, column >= 0, column < columns.count else { return nil }
        if PQgetisnull(handle, Int32(row), Int32(column)) != 0 { return nil }
        guard let value = PQgetvalue(handle, Int32(row), Int32(column)) else { return nil }
        let length = Int(PQgetlength(handle, Int32(row), Int32(column)))
        return value.withMemoryRebound(to: UInt8.self, capacity: length) {
            String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
        }
    }
}

/// One row of a `PostgresResult`, with typed access to its columns.
public struct PostgresRow: Sendable {
    let result: PostgresResult
    let index: Int

    /// The value of column `column` (0-based), or `nil` for SQL NULL.
    public func decode<T: PostgresDecodable>(_ type: T?.Type, at column: Int) throws(PostgresError) -> T? {
        guard column >= 0, column < result.columns.count else {
            throw PostgresError(.decoding, "column \(column) is out of range (the result has \(result.columns.count))")
        }
        guard let text = result.rawText(row: index, column: column) else { return nil }
        let pgType = result.columnTypes[column]
        guard let value = T.decode(text, type: pgType) else {
            throw PostgresError(
                .decoding,
                "column '\(result.columns[column])' of type \(pgType) cannot be decoded as \(T.self) (value \(text.prefix(40).debugDescription))")
        }
        return value
    }

    /// The value of column `column` (0-based); SQL NULL is an error.
    public func decode<T: PostgresDecodable>(_ type: T.Type, at column: Int) throws(PostgresError) -> T {
        guard let value = try decode(T?.self, at: column) else {
            throw PostgresError(.decoding, "column '\(result.columns[column])' is NULL where \(T.self) was expected")
        }
        return value
    }

    /// Whether the result has a column named `name`.
    public func hasColumn(_ name: String) -> Bool {
        (try? result.columnNumber(name)) != nil
    }

    /// The value of the column named `name`, or `nil` for SQL NULL.
    public func decode<T: PostgresDecodable>(_ type: T?.Type, _ name: String) throws(PostgresError) -> T? {
        try decode(T?.self, at: result.columnNumber(name))
    }

    /// The value of the column named `name`; SQL NULL is an error.
    public func decode<T: PostgresDecodable>(_ type: T.Type, _ name: String) throws(PostgresError) -> T {
        try decode(T.self, at: result.columnNumber(name))
    }
}
