import Foundation
import TestSupport
import Testing

/// `--format` as every command declares it (`FormatOption`): a form the command does not offer
/// is refused with exit status 2 and the forms it does offer, before it touches a database, and
/// its help says what it offers.
@Suite struct FormatOptionCLITests {
    /// A database nobody can reach: a command that got as far as connecting would fail otherwise.
    static let nowhere = ["DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none", "FOIFLOW_USER": ""]

    static let refused: [(arguments: [String], offered: String)] = [
        (["letter", "1", "--format", "csv"], "text, json"),
        (["notify", "--format", "table"], "text, json"),
        (["escalate", "--format", "csv"], "text, json"),
        (["deadline", "foi", "--received", "2026-11-20", "--format", "table"], "text, json"),
        (["retention", "run", "--format", "csv"], "text, json"),
        (["erase", "--ref", "FOI-2026-000001", "--reason", "asked", "--format", "table"], "text, json"),
        (["holidays", "import", "x.json", "--format", "csv"], "text, json"),
        (["explain", "FOI-2026-000001", "--format", "text"], "table, csv, json"),
        (["unit", "show", "--format", "csv"], "table, json, text"),
    ]

    @Test(arguments: refused)
    func anUnofferedFormatIsRefusedBeforeTheCommandRuns(_ arguments: [String], offered: String) async throws {
        let run = try await Foiflow.run(arguments, environment: Self.nowhere)
        let format = arguments.last ?? ""
        #expect(run.status == 2, "\(arguments): \(run.status) \(run.stderr)")
        #expect(run.stderr.contains("--format \(format) is not offered here; use \(offered)"), "\(run.stderr)")
        #expect(!run.stderr.contains("nobody"), "it connected: \(run.stderr)")
    }

    @Test func helpNamesTheFormsACommandOffers() async throws {
        let letter = try await Foiflow.run(["letter", "--help"])
        #expect(letter.stdout.contains("text or json here"), "\(letter.stdout)")
        let users = try await Foiflow.run(["user", "list", "--help"])
        #expect(users.stdout.contains("How to print the result.") && users.stdout.contains("default: table"), "\(users.stdout)")
    }
}
