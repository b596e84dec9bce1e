import Dates
import Deadlines
import Foundation
import Workflow

/// A spreadsheet of requests to import (`foiflow import`), read and checked row by row.
///
/// CSV as spreadsheets write it: UTF-8 with or without a byte-order mark, CRLF or LF, quoted
/// fields with commas, quotes and line breaks, trailing empty rows. A header row names the
/// columns (`kind,received,requester` required; see `optionalColumns`); dates are
/// `YYYY-MM-DD` or `DD/MM/YYYY`. Every problem is kept, with its line and column, not the
/// first only.
public struct BacklogFile: Sendable {
    public static let requiredColumns = ["kind", "received", "requester"]
    public static let optionalColumns = [
        "subject", "email", "address", "phone", "contact", "team", "assignee", "legacy_ref", "responded_on", "outcome", "exemptions",
    ]

    /// One data row: its line in the file (1 = the header) and its values by column.
    public struct Row: Sendable, Equatable {
        public var line: Int
        public var values: [String: String]
    }

    /// A problem with the file or a row: `line N, column C: why`.
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        public var line: Int
        public var column: String?
        public var message: String

        public init(line: Int, column: String?, message: String) {
            self.line = line
            self.column = column
            self.message = message
        }

        public var description: String {
            column.map { "line \(line), column \($0): \(message)" } ?? "line \(line): \(message)"
        }
    }

    public var rows: [Row]
    /// Problems with the file itself (encoding, header, quoting, the caps); rows are checked later.
    public var problems: [Problem]
    /// Whether the whole file was read: `false` when reading stopped at a problem (an
    /// unterminated quote, a cap), so no row need be checked before the import is refused.
    public private(set) var complete = true

    /// How much of a file is read: past `maxRows` data rows reading stops; a field longer than
    /// `maxFieldBytes` (UTF-8) is a problem of its row and is not kept.
    public struct Limits: Sendable, Equatable {
        public var maxRows: Int
        public var maxFieldBytes: Int
        /// 100,000 rows (several years of a large force's requests) and 16 KiB a field (the
        /// protocol's whole line).
        public static let standard = Limits(maxRows: 100_000, maxFieldBytes: 16_384)

        public init(maxRows: Int, maxFieldBytes: Int) {
            self.maxRows = maxRows
            self.maxFieldBytes = maxFieldBytes
        }
    }

    /// Reads `data` as CSV with a header row.
    public init(data: Data, limits: Limits = .standard) {
        var records = CSVRecords(data: data, maxFieldBytes: limits.maxFieldBytes)
        self.init(records: &records, limits: limits)
    }

    /// Reads the open file `handle` as CSV with a header row, a chunk at a time.
    public init(handle: FileHandle, limits: Limits = .standard) {
        var records = CSVRecords(handle: handle, maxFieldBytes: limits.maxFieldBytes)
        self.init(records: &records, limits: limits)
    }

    private init(records: inout CSVRecords, limits: Limits) {
        rows = []
        problems = []
        func text(_ bytes: [UInt8], line: Int) throws -> String {
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw CSVRecords.Malformed(line: line, message: "the file is not UTF-8 text (save it as \"CSV UTF-8\")")
            }
            return text
        }
        do {
            guard let headerRecord = try records.next() else {
                complete = false
                problems.append(Problem(line: 1, column: nil, message: "no header row"))
                return
            }
            let header = try headerRecord.fields.map { try text($0, line: 1).trimmingCharacters(in: .whitespaces).lowercased() }
            if !headerRecord.overlong.isEmpty {
                problems.append(Problem(line: 1, column: nil, message: "a column name is longer than \(limits.maxFieldBytes) bytes"))
            }
            let known = Set(BacklogFile.requiredColumns + BacklogFile.optionalColumns)
            for name in header where !known.contains(name) && !name.isEmpty {
                let columns = (BacklogFile.requiredColumns + BacklogFile.optionalColumns).joined(separator: ", ")
                problems.append(Problem(line: 1, column: name, message: "unknown column (columns: \(columns))"))
            }
            for name in BacklogFile.requiredColumns where !header.contains(name) {
                problems.append(Problem(line: 1, column: name, message: "required column missing"))
            }
            var seen: Set<String> = []
            for name in header where !name.isEmpty && !seen.insert(name).inserted {
                problems.append(Problem(line: 1, column: name, message: "column given twice"))
            }
            while let record = try records.next() {
                let fields = try record.fields.map { try text($0, line: record.line) }
                // Trailing (and stray) empty rows are not rows.
                if fields.allSatisfy({ BacklogFile.trimmed($0).isEmpty }) && record.overlong.isEmpty { continue }
                guard rows.count < limits.maxRows else {
                    complete = false
                    problems.append(
                        Problem(
                            line: record.line, column: nil,
                            message: "more than \(limits.maxRows) rows, the most one import takes (--max-rows); split the file"))
                    return
                }
                var values: [String: String] = [:]
                for (index, name) in header.enumerated() where index < fields.count && !name.isEmpty {
                    if record.overlong.contains(index) {
                        problems.append(
                            Problem(
                                line: record.line, column: name,
                                message: "longer than \(limits.maxFieldBytes) bytes, the most a field may hold (--max-field-length)"))
                        continue
                    }
                    let value = BacklogFile.trimmed(fields[index])
                    if !value.isEmpty { values[name] = value }
                }
                if fields.count > header.count, fields[header.count...].contains(where: { !BacklogFile.trimmed($0).isEmpty }) {
                    problems.append(Problem(line: record.line, column: nil, message: "\(fields.count) values for \(header.count) columns"))
                }
                rows.append(Row(line: record.line, values: values))
            }
        } catch let malformed as CSVRecords.Malformed {
            complete = false
            problems.append(Problem(line: malformed.line, column: nil, message: malformed.message))
        } catch {
            complete = false
            problems.append(Problem(line: rows.last.map { $0.line + 1 } ?? 1, column: nil, message: "the file could not be read: \(error)"))
        }
    }

    /// Without leading and trailing spaces, tabs and line breaks (a cell as typed).
    static func trimmed(_ text: String) -> String {
        let blank: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }
        guard let first = text.firstIndex(where: { !blank($0) }), let last = text.lastIndex(where: { !blank($0) }) else { return "" }
        return first == text.startIndex && last == text.index(before: text.endIndex) ? text : String(text[first...last])
    }

    /// `YYYY-MM-DD` or `DD/MM/YYYY` (one-digit day and month allowed), else `nil`.
    public static func date(_ text: String) -> CivilDate? {
        if let date = CivilDate(iso: text) { return date }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, (1...2).contains(parts[0].count), (1...2).contains(parts[1].count), parts[2].count == 4,
            let day = Int(parts[0]), let month = Int(parts[1]), let year = Int(parts[2])
        else { return nil }
        return CivilDate(iso: String(format: "%04d-%02d-%02d", year, month, day))
    }
}
