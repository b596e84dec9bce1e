import Deadlines
import Foundation
import TestSupport
import Testing
import Workflow

/// Issue 28, item 4: help a person can follow, read from the binary as a person reads it (an
/// 80-column terminal), and the README agreeing with the code.
@Suite struct HelpCLITests {
    /// The subcommand names a `--help` lists (the first word of each entry; `escalate, nightly` is one).
    static func subcommands(_ help: String) -> [String] {
        guard let start = help.range(of: "SUBCOMMANDS:\n") else { return [] }
        return help[start.upperBound...].split(separator: "\n").compactMap { line in
            // An entry starts at column 2; its wrapped description at column 26.
            guard line.hasPrefix("  "), !line.hasPrefix("   "), let word = line.split(separator: " ").first,
                word.first?.isLowercase == true
            else { return nil }
            return String(word.trimmingCharacters(in: CharacterSet(charactersIn: ",")))
        }
    }

    /// Every command's path, from `foiflow --help` down.
    static func allCommands() async throws -> [[String]] {
        var found: [[String]] = [], queue: [[String]] = [[]]
        while let path = queue.popLast() {
            found.append(path)
            let help = try await Foiflow.run(path + ["--help"], environment: ["COLUMNS": ""])
            guard help.status == 0, path.count < 4 else { throw TestSetupError("foiflow \(path) --help: \(help.stderr)") }
            queue += subcommands(help.stdout).filter { $0 != "help" }.map { path + [$0] }
        }
        return found
    }

    /// What is wrong with one `--help` as printed at 80 columns.
    static func problems(_ help: String) -> [String] {
        let lines = help.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // The options that take a value, from the usage line (`[--email <email>]`).
        let usage = lines.first { $0.hasPrefix("USAGE:") } ?? ""
        let valued = Set(
            usage.matches(of: /(--[a-z0-9-]+) <[^>]+>/).map { String($0.1) })
        var problems: [String] = []
        // Up to USAGE: the overview, the discussion and its examples.
        let prose = lines.prefix { !$0.hasPrefix("USAGE:") }
        for (index, line) in prose.enumerated() {
            if let last = line.split(separator: " ").last, valued.contains(String(last)) {
                problems.append("a line ends in \(last), which needs a value: \(line)")
            }
            let next = index + 1 < prose.count ? prose[prose.startIndex + index + 1] : ""
            if line.hasPrefix("  foiflow "), !next.isEmpty, !next.hasPrefix("  ") {
                problems.append("an example is split over two lines: \(line) / \(next)")
            }
        }
        return problems
    }

    @Test func everyHelpCanBeFollowed() async throws {
        let commands = try await Self.allCommands()
        #expect(commands.count > 50, "\(commands.count) commands")
        #expect(commands.contains(["unit", "set"]) && commands.contains(["user", "update"]) && commands.contains(["audit", "changes"]))
        for path in commands {
            let help = try await Foiflow.run(path + ["--help"], environment: ["COLUMNS": ""])
            #expect(help.status == 0, "\(path)")
            #expect(Self.problems(help.stdout).isEmpty, "foiflow \(path.joined(separator: " ")) --help: \(Self.problems(help.stdout))")
            // Prose is wrapped once, by the parser: at 5,000 columns a paragraph is one line (a line
            // that goes on in lower case after another is a hard wrap in the source).
            let wide = try await Foiflow.run(path + ["--help"], environment: ["COLUMNS": "5000"]).stdout
            let prose = wide.split(separator: "\n", omittingEmptySubsequences: false).prefix { !$0.hasPrefix("USAGE:") }
            for (previous, line) in zip(prose, prose.dropFirst())
            where !previous.isEmpty && !previous.hasPrefix(" ") && line.first?.isLowercase == true {
                Issue.record("foiflow \(path.joined(separator: " ")) --help is wrapped by hand: \(previous) / \(line)")
            }
        }
    }

    @Test func theCheckFindsWhatTheIssueSaw() {
        // The two faults the issue reported, as the parser printed them: the check must see both.
        let broken = """
            OVERVIEW: Create a user.

            Example:
              foiflow user add asmith --role officer --team north --email
            a.smith@example.org

            USAGE: foiflow user add <login> --role <role> [--email <email>]
            """
        #expect(Self.problems(broken).count == 2, "\(Self.problems(broken))")
    }

    @Test func actHelpListsEachActionWithItsFields() async throws {
        let help = try await Foiflow.run(["request", "act", "--help"], environment: ["COLUMNS": ""]).stdout
        for action in Action.actable {
            let row = TransitionTable.spec(for: action)
            #expect(help.contains("  \(action.rawValue) "), "\(action)")
            for field in row.required + row.optional { #expect(help.contains("\(field)="), "\(action) \(field)") }
        }
        #expect(help.contains("  respond       outcome= [exemptions= on= reason= public_interest="), "\(help)")
        // A list line too long for 80 columns goes on under the fields, not at the margin.
        #expect(help.contains("\n                publish_title= publish_reason=]") || help.contains("publish_reason=]"), "\(help)")
        for line in help.split(separator: "\n") where line.hasPrefix("  ") { #expect(line.count <= 80, "\(line)") }
    }

    /// The README lists the kinds, the actions and the dependencies; they are the code's.
    @Test func theReadmeAgreesWithTheCode() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        func listed(after label: String) -> [String] {
            guard let start = readme.range(of: label) else { return [] }
            let paragraph = readme[start.upperBound...].prefix { $0 != "." }
            return paragraph.matches(of: /`([a-z-]+)`/).map { String($0.1) }.filter { !["ACT", "HELP"].contains($0) }
        }
        #expect(listed(after: "Request kinds: ") == RequestKind.allCases.map(\.rawValue))
        let actions = readme.range(of: "give each one's fields): ").map { readme[$0.upperBound...].prefix { $0 != "." } } ?? ""
        #expect(actions.matches(of: /`([a-z-]+)`/).map { String($0.1) } == Action.actable.map(\.rawValue))
        let package = try String(contentsOf: root.appendingPathComponent("Package.swift"), encoding: .utf8)
        let dependencies = package.matches(of: /\.package\(url: "https:\/\/github.com\/[^\/]+\/([a-z-]+)\.git"/).map { String($0.1) }
        #expect(dependencies.count == 9, "\(dependencies)")
        for name in dependencies { #expect(readme.contains(name), "the README does not name \(name)") }
    }
}
