import ArgumentParser
import Foundation

/// How a command prints data: aligned table for people, CSV or JSON for scripts.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, csv, json

    /// Renders rows under `header`; every row has `header.count` cells.
    func render(header: [String], rows: [[String]]) -> String {
        switch self {
        case .table:
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
            func field(_ text: String) -> String {
                guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
                return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            }
            return ([header] + rows).map { $0.map(field).joined(separator: ",") + "\n" }.joined()
        case .json:
            let objects = rows.map { row in
                Dictionary(uniqueKeysWithValues: zip(header, row))
            }
            let data = (try? JSONSerialization.data(withJSONObject: objects, options: [.prettyPrinted, .sortedKeys])) ?? Data("[]".utf8)
            return String(decoding: data, as: UTF8.self) + "\n"
        }
    }
}
