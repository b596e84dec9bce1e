import ArgumentParser
import Foundation
import LineProtocol
import Workflow

/// The forms a command offers and the one it prints without `--format`.
protocol OutputForms {
    static var offered: [OutputFormat] { get }
    static var standard: OutputFormat { get }
}

/// Rows for people: every form, `table` unless asked.
enum TableForms: OutputForms {
    static let offered = OutputFormat.allCases
    static let standard = OutputFormat.table
}

/// A record as the protocol writes it: every form, `text` unless asked.
enum RecordForms: OutputForms {
    static let offered = OutputFormat.allCases
    static let standard = OutputFormat.text
}

/// What a command did: `text` or `json`.
enum ReportForms: OutputForms {
    static let offered: [OutputFormat] = [.text, .json]
    static let standard = OutputFormat.text
}

/// A day-by-day table (`text` would say less than `explain` without it).
enum ExplainForms: OutputForms {
    static let offered: [OutputFormat] = [.table, .csv, .json]
    static let standard = OutputFormat.table
}

/// The unit's details: one record, not a csv row.
enum UnitForms: OutputForms {
    static let offered: [OutputFormat] = [.table, .json, .text]
    static let standard = OutputFormat.table
}

/// `--format`, written once: its help names what `Forms` offers and any other form is refused
/// before the command runs.
struct FormatOption<Forms: OutputForms>: ParsableArguments {
    @Option(help: OutputFormat.help(Forms.offered)) var format: OutputFormat = Forms.standard

    func validate() throws {
        try format.require(Forms.offered)
    }
}

/// How a command prints: `table` (aligned, for people), `csv` and `json` (for scripts), and
/// `text` (one `key=value ...` line per record, as the protocol writes them). Every command
/// takes this one type; each says which forms it offers (`--help` lists them).
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, csv, json, text

    /// The `--format` help of a command that offers `offered` (argument-parser lists every
    /// case after it; a command that offers fewer says which).
    static func help(_ offered: [OutputFormat]) -> ArgumentHelp {
        guard Set(offered) != Set(allCases) else { return ArgumentHelp("How to print the result.", valueName: "format") }
        let names = offered.map(\.rawValue)
        let list = names.count < 2 ? names.joined() : names.dropLast().joined(separator: ", ") + " or " + (names.last ?? "")
        return ArgumentHelp("How to print the result: \(list) here.", valueName: "format")
    }

    /// Refuses a format the command does not offer.
    func require(_ offered: [OutputFormat]) throws {
        guard offered.contains(self) else {
            throw ValidationError("--format \(rawValue) is not offered here; use \(offered.map(\.rawValue).joined(separator: ", "))")
        }
    }

    /// Rows of fields under `columns`: a missing field is an empty cell (left out of json).
    func render(rows: [[Field]], columns: [String]) -> String {
        switch self {
        case .text:
            // The same columns as every other format (all of a record's fields when none are named).
            let shown = Set(columns)
            return rows.map { row in
                row.filter { columns.isEmpty || shown.contains($0.key) }
                    .map { "\($0.key)=\(Reply.encodeValue(Self.visible($0.value, lines: true)))" }.joined(separator: " ") + "\n"
            }
            .joined()
        case .json:
            // Every column is a key (empty when the row has no value), as in csv.
            let objects = rows.map { row in
                var object = Dictionary(columns.map { ($0, "") }, uniquingKeysWith: { first, _ in first })
                for field in row where object[field.key] != nil || columns.isEmpty { object[field.key] = field.value }
                return object
            }
            return Self.json(objects, pretty: true)
        case .table, .csv:
            let grid = rows.map { row in
                let values = Dictionary(row.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
                return columns.map { values[$0] ?? "" }
            }
            return render(header: columns, rows: grid)
        }
    }

    /// One record: `table` is a column of aligned `key  value` lines, `text` one
    /// `key=value ...` line, `json` an object (fields that are numbers as numbers), `csv` a header and a row.
    func render(record: [Field]) -> String {
        switch self {
        case .table:
            let width = record.map(\.key.count).max() ?? 0
            return record.map { $0.key.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + Self.visible($0.value) + "\n" }.joined()
        case .text:
            return render(rows: [record], columns: [])
        case .csv:
            return render(header: record.map(\.key), rows: [record.map(\.value)])
        case .json:
            var object: [String: Any] = [:]
            for field in record {
                object[field.key] = field.isNumber ? (Int(field.value) ?? 0) as Any : field.value
            }
            return Self.json(object, pretty: false)
        }
    }

    /// Renders a grid of strings under `header` (every row has `header.count` cells).
    func render(header: [String], rows: [[String]]) -> String {
        switch self {
        case .table:
            let rows = rows.map { $0.map { Self.visible($0) } }
            var widths = header.map(\.count)
            for row in rows {
                for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) }
            }
            func line(_ cells: [String]) -> String {
                cells.enumerated().map { i, cell in
                    i == cells.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
                }.joined(separator: "  ") + "\n"
            }
            return line(header) + rows.map(line).joined()
        case .csv:
            func field(_ raw: String) -> String {
                let text = Self.neutralised(raw)
                guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
                return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            }
            return ([header] + rows).map { $0.map(field).joined(separator: ",") + "\n" }.joined()
        case .json, .text:
            return render(rows: rows.map { zip(header, $0).map { Field($0, $1) } }, columns: header)
        }
    }

    /// A CSV cell a spreadsheet will not run as a formula: one that starts with `=`, `+`, `-`,
    /// `@`, a tab or a carriage return gets a leading apostrophe (OWASP's advice); plain numbers
    /// (`-3` days left) are left as they are.
    static func neutralised(_ text: String) -> String {
        guard let first = text.unicodeScalars.first, ["=", "+", "-", "@", "\t", "\r"].contains(first) else { return text }
        let number = text.dropFirst().allSatisfy { $0.isASCII && ($0.isNumber || $0 == ".") } && text.count > 1 && first == "-"
        return number ? text : "'" + text
    }

    /// Text safe to show on a terminal: control characters (ESC, DEL, C1, U+2028/9) written as
    /// `\u{1B}`; in a table cell (`lines: false`) also newlines, tabs and CRs (`\n`, `\t`, `\r`),
    /// so no value can forge a row or retitle the terminal. `lines: true` leaves newline, tab
    /// and CR to the caller's quoting (text format).
    static func visible(_ text: String, lines: Bool = false) -> String {
        guard text.unicodeScalars.contains(where: HostileText.isControl) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n" where !lines: out += "\\n"
            case "\t" where !lines: out += "\\t"
            case "\r" where !lines: out += "\\r"
            case "\n", "\t", "\r": out.unicodeScalars.append(scalar)
            default:
                if HostileText.isControl(scalar) {
                    out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    /// JSON text of a dictionary or array of JSON values, keys sorted.
    static func json(_ value: Any, pretty: Bool) -> String {
        let options: JSONSerialization.WritingOptions = pretty ? [.prettyPrinted, .sortedKeys] : [.sortedKeys]
        let data = (try? JSONSerialization.data(withJSONObject: value, options: options)) ?? Data("null".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
