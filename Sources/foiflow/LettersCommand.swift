import ArgumentParser
import Foundation
import Store
import Workflow

/// `foiflow letters REF`: a request's letters to its requester.
struct LettersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "letters",
        abstract: "List a request's letters to its requester, oldest first.",
        discussion: """
            Status is queued (an e-mail waiting for foiflow notify), sent, failed, task (for the lead officer: post, phone, or a value the letter lacks; the note says which) or done.

            Example:
              foiflow letters FOI-2026-000001 --format csv
            """)

    @OptionGroup var request: OneRequestOptions
    @OptionGroup var output: FormatOption<TableForms>

    func run() async throws {
        let letters = try await request.read { pool, scope in try await LetterStore(pool: pool).letters(ref: request.ref, scope: scope) }
        let columns = ["id", "template", "channel", "status", "created", "sent", "subject", "note"]
        print(output.format.render(rows: letters.map(\.summaryFields), columns: columns), terminator: "")
    }
}

/// `foiflow letter ID`: one letter, whole.
struct LetterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "letter",
        abstract: "Print one letter: its headers, then its whole text.",
        discussion: "Example:\n  foiflow letter 12")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var reader: ReaderOptions
    @Argument(help: "The letter's id (from foiflow letters).") var id: Int
    @OptionGroup var output: FormatOption<ReportForms>

    func validate() throws {
        guard id > 0 else { throw ValidationError("the id must be a whole number above 0") }
    }

    func run() async throws {
        let letter = try await database.makePool().using { pool in
            try await LetterStore(pool: pool).letter(id: id, scope: try await reader.scope(pool))
        }
        switch output.format {
        case .json:
            print(output.format.render(record: letter.fullFields), terminator: "")
        case .text, .table, .csv:
            for field in letter.fullFields where field.key != "body" { print("\(field.key): \(field.value)") }
            print("")
            print(letter.body, terminator: "")
        }
    }
}
