import ArgumentParser
import Dates
import Deadlines
import Foundation
import Store
import Workflow

/// `foiflow request ...`: the protocol's CREATE, SHOW, LIST, ACT and HISTORY from the shell.
struct RequestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "request",
        abstract: "Create, show, list, act on and trace requests (as a foiflow user).",
        discussion: """
            Fields are key=value, exactly as in the line protocol. Changes are made as the user named by --as or FOIFLOW_USER, and checked against that user's role.
            """,
        subcommands: [Create.self, Show.self, List.self, Act.self, History.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a request; prints ref, state, due date and version.",
            discussion: """
                Fields (key=value), by kind (required first, optional in brackets; every kind also takes note=):
                \(Create.fieldsByKind)

                contact is one of \(ContactMethod.preferenceNames) (phone needs phone=); parent is the request a review or an ICO case concerns.

                Example:
                  foiflow request create foi received=2026-11-20 requester="Jo Bloggs"
                """)

        /// Each kind's required and optional `CREATE` fields, from the transition table.
        static var fieldsByKind: String {
            // Kinds that take the same fields share their lines (the required, then the optional).
            var groups: [(kinds: [String], spec: ActionSpec)] = []
            for kind in RequestKind.allCases {
                let spec = TransitionTable.createSpec(for: kind)
                if let at = groups.firstIndex(where: { $0.spec.required == spec.required && $0.spec.optional == spec.optional }) {
                    groups[at].kinds.append(kind.rawValue)
                } else {
                    groups.append(([kind.rawValue], spec))
                }
            }
            return groups.map { group in
                "  \(group.kinds.joined(separator: ", ")):\n    "
                    + group.spec.required.map { "\($0)=" }.joined(separator: " ") + "\n    ["
                    + group.spec.optional.map { "\($0)=" }.joined(separator: " ") + "]"
            }.joined(separator: "\n")
        }

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var actor: ActorOptions
        @Argument(help: "The kind of request.") var kind: RequestKind
        @Argument(help: "key=value fields.") var fields: [String] = []
        @Option(help: "A key that makes a retried create return the first result instead of a second request.")
        var idempotency: String?
        @OptionGroup var output: FormatOption<RecordForms>

        func run() async throws {
            let fields = try FieldArguments.parse(self.fields)
            let result = try await database.makePool().using { pool in
                let actor = try await actor.requireUser(pool)
                return try await pool.requestStore.create(
                    kind: kind, fields: fields, idempotencyKey: idempotency, by: actor, today: LondonDate.today())
            }
            printChange(result, format: output.format)
        }
    }

    struct Act: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Take an action on a request; prints its new state, due date and version.",
            discussion: """
                Each action with its fields (required first, optional in brackets; every action also takes note=):
                \(Act.actionList)

                Values: \(Act.values)

                With --expect N the action is refused (exit 4) unless the request is at version N.

                Example:
                  foiflow request act FOI-2026-000001 assign to=asmith --expect 1
                  foiflow request act FOI-2026-000001 respond outcome=granted
                  foiflow request act FOI-2026-000001 amend email=jo@example.org
                """)

        /// One line per action someone may take, from the transition table.
        static var actionList: String {
            let width = (Action.actable.map(\.rawValue.count).max() ?? 0) + 2
            return Action.actable.map { action in
                let spec = TransitionTable.spec(for: action)
                let who = spec.roles.contains(.officer) ? "" : "  (\(spec.whoMay))"
                // A list, not prose: lines that would pass 78 columns go on under the fields.
                var lines = ["  " + action.rawValue.padding(toLength: width, withPad: " ", startingAt: 0)]
                for word in (spec.fieldSynopsis + who).split(separator: " ") {
                    if lines[lines.count - 1].count + word.count + 1 > 78 { lines.append(String(repeating: " ", count: width + 2)) }
                    lines[lines.count - 1] += (lines[lines.count - 1].hasSuffix(" ") ? "" : " ") + word
                }
                return lines.joined(separator: "\n")
            }.joined(separator: "\n")
        }

        static var values: String {
            TransitionTable.fieldValues.map { "\($0.field): \($0.values)" }.joined(separator: "; ") + "."
        }

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var actor: ActorOptions
        @Argument(help: "The request's reference, e.g. FOI-2026-000001.") var ref: String
        @Argument(help: "The action.") var action: String
        @Argument(help: "key=value fields.") var fields: [String] = []
        @Option(help: "The version the request must be at.") var expect: Int?
        @OptionGroup var output: FormatOption<RecordForms>

        func run() async throws {
            guard let action = Action(actName: action) else {
                throw CLIError("unknown action '\(self.action)'; actions: \(Action.actableNames)", code: .badArgument)
            }
            let fields = try FieldArguments.parse(self.fields)
            let result = try await database.makePool().using { pool in
                let actor = try await actor.requireUser(pool)
                return try await pool.requestStore.act(
                    ref: ref, action: action, fields: fields, expectedVersion: expect, by: actor, today: LondonDate.today())
            }
            printChange(result, format: output.format)
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show one request with days left to its due date.",
            discussion: "Example:\n  foiflow request show FOI-2026-000001 --format json")

        @OptionGroup var request: OneRequestOptions
        @OptionGroup var output: FormatOption<TableForms>

        func run() async throws {
            let view = try await request.read { pool, scope in
                try await pool.requestStore.show(ref: request.ref, today: LondonDate.today(), scope: scope)
            }
            print(output.format.render(record: view.fields), terminator: "")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List requests by reference, a page at a time.",
            discussion: """
                When more remain, the next page's --after value is printed on stderr.

                Example:
                  foiflow request list --state in_progress --assignee asmith --format csv
                """)

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var reader: ReaderOptions
        @Option(help: "Only in this state.") var state: String?
        @Option(help: "Only of this kind.") var kind: RequestKind?
        @Option(help: "Only assigned to this login.") var assignee: String?
        @Option(help: "Only of this team.") var team: String?
        @Option(help: "At most this many (1 to 1000).") var limit: Int = 100
        @Option(help: "Start after this reference.") var after: String?
        @OptionGroup var output: FormatOption<TableForms>

        func validate() throws {
            guard (1...1000).contains(limit) else { throw ValidationError("--limit must be 1 to 1000") }
            if let state, RequestState(rawValue: state) == nil { throw ValidationError("unknown state '\(state)'; states: \(RequestState.names)") }
        }

        func run() async throws {
            let filter = RequestFilter(
                state: state.flatMap(RequestState.init(rawValue:)), kind: kind, assignee: assignee, team: team, after: after, limit: limit)
            let page = try await database.makePool().using { pool in
                try await pool.requestStore.list(filter, today: LondonDate.today(), scope: try await reader.scope(pool))
            }
            print(output.format.render(rows: page.requests.map(\.fields), columns: RequestView.listColumns), terminator: "")
            if let next = page.next { FileHandle.standardError.write(Data("more: --after \(next)\n".utf8)) }
        }
    }

    struct History: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A request's events, oldest first.",
            discussion: "Example:\n  foiflow request history FOI-2026-000001")

        @OptionGroup var request: OneRequestOptions
        @OptionGroup var output: FormatOption<TableForms>

        func run() async throws {
            let events = try await request.read { pool, scope in try await pool.requestStore.history(ref: request.ref, scope: scope) }
            let rows = events.map { event in
                event.recordFields.filter { ["seq", "at", "actor", "action", "from", "to", "due"].contains($0.key) }
                    + [Field("fields", event.fieldsText)]
            }
            print(output.format.render(rows: rows, columns: ["seq", "at", "actor", "action", "from", "to", "due", "fields"]), terminator: "")
        }
    }
}

/// Prints a CREATE/ACT result: `ref=... state=... due=... version=...`, or in another format.
func printChange(_ result: ChangeResult, format: OutputFormat) {
    print(format.render(record: result.fields), terminator: "")
    if let held = result.letterHeld { FileHandle.standardError.write(Data("foiflow: warning: \(held)\n".utf8)) }
}
