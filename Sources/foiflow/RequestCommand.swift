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
            Fields are key=value, exactly as in the line protocol. Changes are made as the user
            named by --as or FOIFLOW_USER, and checked against that user's role.
            """,
        subcommands: [Create.self, Show.self, List.self, Act.self, History.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a request; prints ref, state, due date and version.",
            discussion: """
                Fields: received=DATE requester=TEXT (both required), subject, email, address,
                contact (email|post|phone), team, parent (the request a review reviews), calendar.

                Example:
                  foiflow request create foi received=2026-11-20 requester="Jane O'Neil" subject="Stop and search" --as asmith
                """)

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var actor: ActorOptions
        @Argument(help: "foi, eir, sar, complaint or review.") var kind: RequestKind
        @Argument(help: "key=value fields.") var fields: [String] = []
        @Option(help: "A key that makes a retried create return the first result instead of a second request.")
        var idempotency: String?
        @Option(help: "text or json.") var format: HolidaysCommand.ReportFormat = .text

        func run() async throws {
            let fields = try FieldArguments.parse(self.fields)
            let result = try await database.makePool().using { pool in
                let actor = try await actor.requireUser(pool)
                return try await pool.requestStore.create(kind: kind, fields: fields, idempotencyKey: idempotency, by: actor, today: LondonDate.today())
            }
            printChange(result, format: format)
        }
    }

    struct Act: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Take an action on a request; prints its new state, due date and version.",
            discussion: """
                Actions: \(Action.userActionNames).
                With --expect N the action is refused (exit 4) unless the request is at version N.

                Example:
                  foiflow request act FOI-2026-000001 assign to=asmith --expect 1 --as bkhan
                  foiflow request act FOI-2026-000001 respond outcome=partial exemptions="s.40(2)" --as asmith
                """)

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var actor: ActorOptions
        @Argument(help: "The request's reference, e.g. FOI-2026-000001.") var ref: String
        @Argument(help: "The action.") var action: String
        @Argument(help: "key=value fields.") var fields: [String] = []
        @Option(help: "The version the request must be at.") var expect: Int?
        @Option(help: "text or json.") var format: HolidaysCommand.ReportFormat = .text

        func run() async throws {
            guard let action = Action(name: action), action != .create, action != .recalculate else {
                throw CLIError("unknown action '\(self.action)'; actions: \(Action.userActionNames), escalate, lapse", exitCode: .usage)
            }
            let fields = try FieldArguments.parse(self.fields)
            let result = try await database.makePool().using { pool in
                let actor = try await actor.requireUser(pool)
                return try await pool.requestStore.act(ref: ref, action: action, fields: fields, expectedVersion: expect, by: actor, today: LondonDate.today())
            }
            printChange(result, format: format)
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show one request with days left to its due date.",
            discussion: "Example:\n  foiflow request show FOI-2026-000001 --format json")

        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The request's reference.") var ref: String
        @Option(help: "text or json.") var format: HolidaysCommand.ReportFormat = .text

        func run() async throws {
            let view = try await database.makePool().using { try await $0.requestStore.show(ref: ref, today: LondonDate.today()) }
            switch format {
            case .text:
                let width = view.fields.map(\.key.count).max() ?? 0
                for field in view.fields { print(field.key.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + field.value) }
            case .json:
                print(jsonObject(view.fields))
            }
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
        @Option(help: "Only in this state.") var state: String?
        @Option(help: "Only of this kind.") var kind: RequestKind?
        @Option(help: "Only assigned to this login.") var assignee: String?
        @Option(help: "Only of this team.") var team: String?
        @Option(help: "At most this many (1 to 1000).") var limit: Int = 100
        @Option(help: "Start after this reference.") var after: String?
        @Option(help: "table, csv or json.") var format: OutputFormat = .table

        func validate() throws {
            guard (1...1000).contains(limit) else { throw ValidationError("--limit must be 1 to 1000") }
            if let state, RequestState(rawValue: state) == nil { throw ValidationError("unknown state '\(state)'; states: \(RequestState.names)") }
        }

        func run() async throws {
            let filter = RequestFilter(state: state.flatMap(RequestState.init(rawValue:)), kind: kind, assignee: assignee, team: team, after: after, limit: limit)
            let page = try await database.makePool().using { try await $0.requestStore.list(filter, today: LondonDate.today()) }
            print(format.render(header: RequestCommand.listColumns, rows: page.requests.map(RequestCommand.row)), terminator: "")
            if let next = page.next { FileHandle.standardError.write(Data("more: --after \(next)\n".utf8)) }
        }
    }

    struct History: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A request's events, oldest first.",
            discussion: "Example:\n  foiflow request history FOI-2026-000001")

        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The request's reference.") var ref: String
        @Option(help: "table, csv or json.") var format: OutputFormat = .table

        func run() async throws {
            let events = try await database.makePool().using { try await $0.requestStore.history(ref: ref) }
            let rows = events.map { event in
                [String(event.seq), Timestamps.rfc3339(event.at), event.actor, event.action, event.from ?? "", event.to,
                 event.due?.description ?? "", event.fields.map { "\($0.key)=\($0.value)" }.joined(separator: " ")]
            }
            print(format.render(header: ["seq", "at", "actor", "action", "from", "to", "due", "fields"], rows: rows), terminator: "")
        }
    }

    static let listColumns = ["ref", "kind", "state", "assignee", "team", "received", "due", "days_left", "version"]

    static func row(_ view: RequestView) -> [String] {
        [view.ref, view.kind.rawValue, view.state.rawValue, view.assignee ?? "", view.team ?? "", view.received.description,
         view.due?.description ?? "", view.daysLeft.map(String.init) ?? "", String(view.version)]
    }
}

/// Prints a CREATE/ACT result as `ref=... state=... due=... version=...` or JSON.
func printChange(_ result: ChangeResult, format: HolidaysCommand.ReportFormat) {
    var fields: [Field] = [Field("ref", result.ref), Field("state", result.state.rawValue)]
    if let due = result.due { fields.append(Field("due", due.description)) }
    fields.append(Field("version", String(result.version)))
    if result.replayed { fields.append(Field("replayed", "true")) }
    switch format {
    case .text: print(fields.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
    case .json: print(jsonObject(fields))
    }
}

/// A JSON object of string fields (numbers where the field is one: version, days_left).
func jsonObject(_ fields: [Field]) -> String {
    var object: [String: Any] = [:]
    for field in fields {
        if ["version", "days_left"].contains(field.key), let number = Int(field.value) { object[field.key] = number } else { object[field.key] = field.value }
    }
    let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
    return String(decoding: data, as: UTF8.self)
}
