import LineProtocol
import Workflow

/// One protocol command: its name, what it needs, and what answers it.
struct CommandSpec: Sendable {
    /// What a handler is given.
    struct Call {
        var request: RequestLine
        /// The confirmed user's actor; `nil` only for commands that need no `AUTH`.
        var actor: Actor?
        var context: ServerContext
        var session: Session
    }

    typealias Handler = @Sendable (Call) async throws -> (Reply, Session.After)

    /// The command word, upper case.
    var name: String
    /// Whether the session must have authenticated.
    var needsAuth: Bool
    /// Whether answering may wait on the database (earlier replies are written first).
    var touchesDatabase: Bool
    /// The permission checked before the handler runs; `nil` when the handler decides
    /// (CREATE and ACT check the role against the action in the workflow).
    var requires: Operation?
    var handler: Handler
}

/// Every command of the line protocol, in one place: adding a command is one row here and
/// its handler in `Commands/`.
enum CommandTable {
    static let commands: [CommandSpec] = [
        CommandSpec(name: "PING", needsAuth: false, touchesDatabase: false, requires: nil) { call in
            try expectNoArguments(call.request)
            return (.ok(words: ["pong"]), .carryOn)
        },
        CommandSpec(name: "HELLO", needsAuth: false, touchesDatabase: false, requires: nil) { call in
            try expectNoArguments(call.request)
            return (
                .ok([
                    .init("server", FoiflowVersion.name), .init("version", FoiflowVersion.current),
                    .init("protocol", String(FoiflowVersion.protocolVersion)),
                ]), .carryOn
            )
        },
        CommandSpec(name: "QUIT", needsAuth: false, touchesDatabase: false, requires: nil) { call in
            try expectNoArguments(call.request)
            return (.ok(words: ["bye"]), .close)
        },
        CommandSpec(name: "AUTH", needsAuth: false, touchesDatabase: true, requires: nil) { call in
            (try await call.session.authenticate(call.request), .carryOn)
        },
        request("CREATE", requires: nil, RequestCommands.create),
        request("SHOW", requires: .read, RequestCommands.show),
        request("HISTORY", requires: .read, RequestCommands.history),
        request("ACT", requires: nil, RequestCommands.act),
        request("LIST", requires: .read, RequestCommands.list),
        request("RISK", requires: .read, RequestCommands.risk),
        CommandSpec(name: "WORKDAY", needsAuth: true, touchesDatabase: false, requires: .read) { call in
            (try await CalendarCommands.workday(call.request, call.context), .carryOn)
        },
        CommandSpec(name: "DEADLINE", needsAuth: true, touchesDatabase: false, requires: .read) { call in
            (try await CalendarCommands.deadline(call.request, call.context), .carryOn)
        },
    ]

    /// The commands by name.
    static let byName: [String: CommandSpec] = Dictionary(uniqueKeysWithValues: commands.map { ($0.name, $0) })

    /// The command a request line names (its word matched without regard to ASCII case).
    static func spec(for word: String) -> CommandSpec? {
        byName[word]
    }

    /// Whether answering `parsed` may wait on the database (so earlier replies should not wait for it).
    static func mayWait(_ parsed: ParsedLine) -> Bool {
        guard case .request(let request) = parsed else { return false }
        return spec(for: request.command)?.touchesDatabase ?? false
    }

    /// A request command over the store: needs `AUTH`, touches the database.
    private static func request(
        _ name: String, requires: Operation?,
        _ body: @escaping @Sendable (RequestLine, Actor, ServerContext) async throws -> Reply
    ) -> CommandSpec {
        CommandSpec(name: name, needsAuth: true, touchesDatabase: true, requires: requires) { call in
            guard let actor = call.actor else { throw ProtocolError(.authRequired, "authenticate with AUTH <token> first") }
            return (try await body(call.request, actor, call.context), .carryOn)
        }
    }

    static func expectNoArguments(_ request: RequestLine) throws {
        guard request.positional.isEmpty, request.named.isEmpty else {
            throw ProtocolError(.badArgument, "\(request.command) takes no arguments")
        }
    }
}
