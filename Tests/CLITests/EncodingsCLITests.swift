import Foundation
import TestSupport
import Testing

/// Issue 25: every encoding of a view says the same thing. For each read command, each format
/// it offers prints the same records with the same keys and values: a JSON object or array,
/// a CSV header and rows, `key=value` lines, an aligned table.
@Suite(.requiresDatabase) struct EncodingsCLITests {
    /// The rows of a CSV text (no quoted line breaks in these fixtures).
    func csv(_ text: String) -> [[String]] {
        text.split(separator: "\n").map { line in
            var cells: [String] = [], cell = "", quoted = false
            var chars = Array(line)[...]
            while let c = chars.popFirst() {
                if quoted {
                    if c == "\"" {
                        if chars.first == "\"" {
                            cell.append("\"")
                            chars = chars.dropFirst()
                        } else {
                            quoted = false
                        }
                    } else {
                        cell.append(c)
                    }
                } else if c == "\"" {
                    quoted = true
                } else if c == "," {
                    cells.append(cell)
                    cell = ""
                } else {
                    cell.append(c)
                }
            }
            cells.append(cell)
            return cells
        }
    }

    /// `key=value` pairs of one text line (values as the protocol quotes them, unquoted here).
    func pairs(_ line: Substring) -> [String: String] {
        var out: [String: String] = [:]
        var rest = line[...]
        while !rest.isEmpty {
            rest = rest.drop { $0 == " " }
            guard let eq = rest.firstIndex(of: "=") else { break }
            let key = String(rest[..<eq])
            rest = rest[rest.index(after: eq)...]
            var value = ""
            if rest.first == "\"" {
                rest = rest.dropFirst()
                while let c = rest.first, c != "\"" {
                    if c == "\\", let next = rest.dropFirst().first {
                        value.append(next == "n" ? "\n" : next)
                        rest = rest.dropFirst(2)
                    } else {
                        value.append(c)
                        rest = rest.dropFirst()
                    }
                }
                rest = rest.dropFirst()
            } else {
                let end = rest.firstIndex(of: " ") ?? rest.endIndex
                value = String(rest[..<end])
                rest = rest[end...]
            }
            out[key] = value
        }
        return out
    }

    @Test func everyFormatOfEveryReadSaysTheSame() async throws {
        let db = try await CLIDatabase.create("encodings", users: [TestUser("bkhan", "manager", "--team", "north")]).env(as: "bkhan")
        for line in [
            [
                "request", "create", "foi", "received=2026-11-02", "requester=Ann O'Neil, \"the elder\"", "subject=Stop and search, 2025",
                "email=ann@example.com",
            ],
            ["request", "create", "eir", "received=2026-11-20", "requester=B"],
        ] {
            #expect(try await Foiflow.run(line, environment: db).status == 0)
        }
        #expect(try await Foiflow.run(["request", "act", "FOI-2026-000001", "assign", "to=bkhan"], environment: db).status == 0)
        #expect(
            try await Foiflow.run(["request", "act", "FOI-2026-000001", "extend", "reason=public interest test", "exemptions=s.31"], environment: db)
                .status == 0)

        // One record: SHOW. Every format has the same keys and values.
        var shown: [String: [String: String]] = [:]
        for format in ["json", "text", "table", "csv"] {
            let run = try await Foiflow.run(["request", "show", "FOI-2026-000001", "--format", format], environment: db)
            #expect(run.status == 0, "\(format): \(run.stderr)")
            switch format {
            case "json":
                let object = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
                shown[format] = object.mapValues { "\($0)" }
                #expect(object["version"] is Int && object["ref"] is String, "numbers are numbers: \(object)")
            case "text":
                shown[format] = pairs(run.stdout.dropLast())
            case "table":
                shown[format] = Dictionary(
                    uniqueKeysWithValues: run.stdout.split(separator: "\n").map { line in
                        let key = line.prefix { $0 != " " }
                        return (String(key), String(line.dropFirst(key.count).drop { $0 == " " }))
                    })
            default:
                let rows = csv(run.stdout)
                #expect(rows.count == 2, "\(rows)")
                shown[format] = Dictionary(uniqueKeysWithValues: zip(rows[0], rows[1]).map { ($0, $1) })
            }
        }
        let reference = try #require(shown["json"])
        #expect(reference["requester"] == "Ann O'Neil, \"the elder\"" && reference["subject"] == "Stop and search, 2025", "\(reference)")
        for (format, fields) in shown { #expect(fields == reference, "\(format) differs from json: \(fields)") }

        // Rows: every listing prints the same rows under the same columns in each format.
        let listings: [[String]] = [
            ["request", "list"], ["request", "history", "FOI-2026-000001"], ["risk", "--within", "60"],
            ["letters", "FOI-2026-000001"], ["grounds"], ["user", "list"], ["holidays", "list", "--year", "2026"],
            ["explain", "FOI-2026-000001"],
        ]
        /// A listing's JSON rows (EXPLAIN's are its `days`, beside the summary).
        func jsonRows(_ text: String) throws -> [[String: Any]]? {
            let value = try JSONSerialization.jsonObject(with: Data(text.utf8))
            return value as? [[String: Any]] ?? (value as? [String: Any])?["days"] as? [[String: Any]]
        }
        for command in listings {
            let json = try await Foiflow.run(command + ["--format", "json"], environment: db)
            #expect(json.status == 0, "\(command): \(json.stderr)")
            let objects = try #require(try jsonRows(json.stdout), "\(command)")
            #expect(!objects.isEmpty, "\(command)")
            let csvRun = try await Foiflow.run(command + ["--format", "csv"], environment: db)
            let rows = csv(csvRun.stdout)
            let header = try #require(rows.first)
            #expect(rows.count == objects.count + 1, "\(command): \(rows.count) csv rows, \(objects.count) json")
            for (object, row) in zip(objects, rows.dropFirst()) {
                // Every column is a key; EXPLAIN's days leave out what a day does not have.
                #expect(
                    Set(object.keys).isSubset(of: header) && (command[0] == "explain" || Set(object.keys) == Set(header)),
                    "\(command): \(object.keys.sorted()) against \(header)")
                for (key, cell) in zip(header, row) {
                    let value = object[key].map { "\($0)" } ?? ""
                    // A CSV cell a spreadsheet could run as a formula carries a leading apostrophe.
                    #expect(value == cell || "'" + value == cell, "\(command) \(key): \(value) against \(cell)")
                }
            }
            let table = try await Foiflow.run(command + ["--format", "table"], environment: db)
            #expect(table.stdout.split(separator: "\n").count >= objects.count + 1, "\(command)")
            if command != ["explain", "FOI-2026-000001"] {
                let text = try await Foiflow.run(command + ["--format", "text"], environment: db)
                let lines = text.stdout.split(separator: "\n")
                #expect(lines.count == objects.count, "\(command): \(lines.count) text lines")
                for (object, line) in zip(objects, lines) {
                    let fields = pairs(line)
                    for (key, value) in fields { #expect(object[key].map { "\($0)" } == value, "\(command) \(key)") }
                }
            }
        }
    }
}
