import Deadlines
import Foundation
import Workflow

/// The refusal grounds as migration 0014 seeds them, read from the migration itself so the
/// pure tests check the table the database gets (no copy to drift).
enum SeedGrounds {
    static let table: GroundsTable = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let sql = (try? String(contentsOf: root.appendingPathComponent("sql/0014_grounds_reviews_ico.sql"), encoding: .utf8)) ?? ""
        return GroundsTable(sql.split(separator: "\n").compactMap { parse(String($0)) })
    }()

    /// One `(position, 'code', 'citation', 'title', '{kinds}', 'test', pit, ncnd),` line.
    static func parse(_ line: String) -> RefusalGround? {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("("), trimmed.first(where: { !$0.isNumber && $0 != "(" }) == "," else { return nil }
        var strings: [String] = [], rest = Substring(trimmed)
        while let open = rest.firstIndex(of: "'") {
            var value = "", index = rest.index(after: open)
            while index < rest.endIndex {
                if rest[index] == "'" {
                    let next = rest.index(after: index)
                    if next < rest.endIndex, rest[next] == "'" {
                        value.append("'")
                        index = rest.index(after: next)
                        continue
                    }
                    break
                }
                value.append(rest[index])
                index = rest.index(after: index)
            }
            strings.append(value)
            rest = rest[rest.index(after: min(index, rest.index(before: rest.endIndex)))...]
        }
        let booleans = trimmed.split(separator: ",").suffix(2).map { $0.contains("true") }
        guard strings.count == 5, let test = GroundTest(rawValue: strings[4]) else { return nil }
        let kinds = strings[3].trimmingCharacters(in: CharacterSet(charactersIn: "{}")).split(separator: ",").compactMap {
            RequestKind(rawValue: String($0))
        }
        return RefusalGround(
            code: strings[0], citation: strings[1], title: strings[2], kinds: Set(kinds), test: test, pit: booleans[0], ncnd: booleans[1])
    }
}
