import ArgumentParser
import Deadlines
import Foundation
import Store
import Workflow

/// `foiflow grounds`: the refusal grounds responses and extensions may cite.
struct GroundsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grounds",
        abstract: "List the refusal grounds (exemptions, exceptions, restrictions) and the kinds they apply to.",
        discussion: """
            Codes are written as officers write them (s31, s40(2), r12(5)(b), dpa-s45(4)(b)); ACT respond and extend read S.31, section 31 and FOIA s31 as s31. test is absolute, qualified or procedural; pit says a FOI public-interest extension may rest on it; ncnd that the provision allows neither confirming nor denying.

            --unparsed lists the exemptions recorded as free text before grounds were data that foiflow migrate could not read: they are kept as written, to correct by hand.

            Examples:
              foiflow grounds --kind foi
              foiflow grounds --unparsed --format csv
            """)

    @OptionGroup var database: DatabaseOptions
    @Option(help: ArgumentHelp("Only the grounds for this kind: \(RequestKind.names).", valueName: "kind")) var kind: String?
    @Flag(help: "List the free-text exemptions migration could not read.") var unparsed = false
    @OptionGroup var output: FormatOption<TableForms>

    func validate() throws {
        if let kind, RequestKind(name: kind) == nil { throw ValidationError("unknown kind '\(kind)'; kinds: \(RequestKind.names)") }
        if unparsed, kind != nil { throw ValidationError("--unparsed lists every kind; leave out --kind") }
    }

    func run() async throws {
        if unparsed {
            let rows = try await database.makePool().using { try await GroundsStore(pool: $0).unparsed() }
            print(output.format.render(rows: rows, columns: ["ref", "code", "text", "problem"]), terminator: "")
            return
        }
        let table = try await database.makePool().using { try await GroundsStore(pool: $0).table() }
        let grounds = kind.flatMap(RequestKind.init(name:)).map(table.grounds(for:)) ?? table.grounds
        let columns = ["code", "title", "kinds", "test", "pit", "ncnd", "citation"]
        print(output.format.render(rows: grounds.map(GroundsStore.fields), columns: columns), terminator: "")
    }
}
