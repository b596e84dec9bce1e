import ArgumentParser
import Dates
import Deadlines
import Store
import Workflow

/// `foiflow search`: the protocol's SEARCH from the command line.
struct SearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Find requests by the words of their reference, subject and notes, best match first.",
        discussion: """
            Words are matched on their stems (refusing, refused: refuse); "a quoted phrase" must appear as written, -word must not appear, and `or` between words takes either. The reference and subject weigh most. An anonymised request is found by its reference only. With --as, only what that user may see (their team's and those of no team).

            Examples:
              foiflow search speed cameras --from 2026-01-01
              foiflow search '"stop and search"' -custody --kind foi --format csv
            """)

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var reader: ReaderOptions
    @Argument(help: "The words to look for.") var words: [String]
    @Option(help: "Only of this kind.") var kind: RequestKind?
    @Option(help: "Only in this state.") var state: String?
    @Option(help: "Only received on or after this date (YYYY-MM-DD).") var from: CivilDate?
    @Option(help: "Only received on or before this date (YYYY-MM-DD).") var to: CivilDate?
    @Option(help: "At most this many (1 to \(SearchQuery.maxLimit)).") var limit: Int = SearchQuery.defaultLimit
    @OptionGroup var output: FormatOption<TableForms>

    var query: SearchQuery {
        SearchQuery(
            text: words.joined(separator: " "), kind: kind, state: state.flatMap(RequestState.init(rawValue:)), from: from, to: to,
            limit: limit)
    }

    func validate() throws {
        if let state, RequestState(rawValue: state) == nil { throw ValidationError("unknown state '\(state)'; states: \(RequestState.names)") }
        if let problem = query.problem { throw ValidationError(problem) }
    }

    func run() async throws {
        let hits = try await database.makePool().using { pool in
            try await pool.requestStore.search(query, scope: try await reader.scope(pool))
        }
        print(output.format.render(rows: hits.map(\.fields), columns: SearchHit.columns), terminator: "")
    }
}
