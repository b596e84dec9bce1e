import CSV
import Dates
import Deadlines
import Digest
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
        "subject", "email", "address", "contact", "team", "assignee", "legacy_ref", "responded_on", "outcome", "exemptions",
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

        public var description: String {
            column.map { "line \(line), column \($0): \(message)" } ?? "line \(line): \(message)"
        }
    }

    public var rows: [Row]
    /// Problems with the file itself (encoding, header); rows are checked later.
    public var problems: [Problem]

    /// Reads `data` as CSV with a header row.
    public init(data: Data) {
        rows = []
        problems = []
        guard var text = String(data: data, encoding: .utf8) else {
            problems.append(Problem(line: 1, column: nil, message: "the file is not UTF-8 text (save it as \"CSV UTF-8\")"))
            return
        }
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        let reader: CSVReader
        do {
            reader = try CSVReader(string: text, hasHeaderRow: true)
        } catch {
            problems.append(Problem(line: 1, column: nil, message: "no header row"))
            return
        }
        let header = (reader.headerRow ?? []).map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        var line = 1 + BacklogFile.extraLines(reader.headerRow ?? [])
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
        while let fields = reader.next() {
            line += 1
            let start = line
            line += BacklogFile.extraLines(fields)
            // Trailing (and stray) empty rows are not rows.
            if fields.allSatisfy({ BacklogFile.trimmed($0).isEmpty }) { continue }
            var values: [String: String] = [:]
            for (index, name) in header.enumerated() where index < fields.count && !name.isEmpty {
                // A cell's line breaks are newlines, whichever the spreadsheet wrote (CRLF, CR).
                var value = BacklogFile.trimmed(fields[index])
                if value.utf8.contains(UInt8(ascii: "\r")) {
                    value = value.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
                }
                if !value.isEmpty { values[name] = value }
            }
            if fields.count > header.count, fields[header.count...].contains(where: { !BacklogFile.trimmed($0).isEmpty }) {
                problems.append(Problem(line: start, column: nil, message: "\(fields.count) values for \(header.count) columns"))
            }
            rows.append(Row(line: start, values: values))
        }
    }

    /// Line breaks inside a record's quoted fields (CRLF, LF or CR): the lines it takes beyond its first.
    static func extraLines(_ fields: [String]) -> Int {
        var count = 0
        for field in fields {
            var previous: UInt8 = 0
            for byte in field.utf8 {
                if byte == UInt8(ascii: "\r") || (byte == UInt8(ascii: "\n") && previous != UInt8(ascii: "\r")) { count += 1 }
                previous = byte
            }
        }
        return count
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
