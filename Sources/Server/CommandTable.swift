import LineProtocol
import Store
import Workflow

/// One protocol command: its name, what it needs, and what answers it.
///
/// A class: every line looks one up and carries it to the session, and a reference is one
/// retain where a struct of strings and closures would be several (measured on pipelined PING).
final class CommandSpec: Sendable {
    /// What a handler is given (small: the context is reached through the session, not copied).
    struct Call {
        var request: RequestLine
        /// The confirmed user's actor; `nil` only for commands that need no `AUTH`.
        var actor: Actor?
        var session: Session

        var context: ServerContext { session.context }
    }

    /// How a command is answered: at once (no suspension), or by awaiting work.
    /// A handler that waits: it runs on its caller's executor (the connection's event loop),
    /// not on the cooperative pool, so awaiting the database costs no hop between threads.
    typealias Awaiting = nonisolated(nonsending) @Sendable (Call) async throws -> (Reply, Session.After)

    enum Handler: Sendable {
        case immediate(@Sendable (RequestLine) throws -> (Reply, Session.After))
        case awaiting(Awaiting)
    }

    /// The command word, upper case.
    let name: String
    /// Whether the session must have authenticated.
    let needsAuth: Bool
    /// Whether answering may wait on the database (earlier replies are written first).
    let touchesDatabase: Bool
    /// The permission checked before the handler runs; `nil` when the handler decides
    /// (CREATE and ACT check the role against the action in the workflow).
    let requires: Operation?
    let handler: Handler

    init(name: String, needsAuth: Bool, touchesDatabase: Bool, requires: Operation?, handler: Handler) {
        self.name = name
        self.needsAuth = needsAuth
        self.touchesDatabase = touchesDatabase
        self.requires = requires
        self.handler = handler
    }
}

/// Every command of the line protocol, in one place: adding a command is one row here and
/// its handler in `Commands/`.
enum CommandTable {
    static let commands: [CommandSpec] = [
        open("PING") { (.ok(words: ["pong"]), .carryOn) },
        open("HELLO") {
            let fields: [Reply.Field] = [
                .init("server", FoiflowVersion.name), .init("version", FoiflowVersion.current),
                .init("protocol", String(FoiflowVersion.protocolVersion)),
            ]
            return (.ok(fields), .carryOn)
        },
        open("QUIT") { (.ok(words: ["bye"]), .close) },
        CommandSpec(
            name: "AUTH", needsAuth: false, touchesDatabase: true, requires: nil,
            handler: .awaiting { call in (try await call.session.authenticate(call.request), .carryOn) }),
        change("CREATE", RequestCommands.create),
        request("SHOW", requires: .read, RequestCommands.show),
        request("HISTORY", requires: .read, RequestCommands.history),
        request("EXPLAIN", requires: .read, RequestCommands.explain),
        request("LETTERS", requires: .read, RequestCommands.letters),
        request("LETTER", requires: .read, RequestCommands.letter),
        change("ACT", RequestCommands.act),
        change("REQUESTER", RequestCommands.requester),
        request("COST", requires: .read, RequestCommands.cost),
        request("LIST", requires: .read, RequestCommands.list),
        request("SEARCH", requires: .read, RequestCommands.search),
        request("GROUNDS", requires: .read, RequestCommands.grounds),
        request("STATS", requires: .read, StatsCommand.stats),
        request("RISK", requires: .read, RequestCommands.risk),
        CommandSpec(
            name: "WORKDAY", needsAuth: true, touchesDatabase: false, requires: .read,
            handler: .awaiting { call in (try await CalendarCommands.workday(call.request, call.context), .carryOn) }),
        CommandSpec(
            name: "DEADLINE", needsAuth: true, touchesDatabase: false, requires: .read,
            handler: .awaiting { call in (try await CalendarCommands.deadline(call.request, call.context), .carryOn) }),
    ]

    /// The command a request line names (its word, already upper-cased by the tokenizer).
    /// A scan of a dozen short words: cheaper per line than hashing the word.
    static func spec(for word: String) -> CommandSpec? {
        for spec in commands where spec.name == word { return spec }
        return nil
    }

    /// The command of a request line (`nil` for blank and malformed lines and unknown words).
    static func spec(for parsed: ParsedLine) -> CommandSpec? {
        guard case .request(let request) = parsed else { return nil }
        return spec(for: request.command)
    }

    /// Whether answering `parsed` may wait on the database (so earlier replies should not wait for it).
    static func mayWait(_ parsed: ParsedLine) -> Bool {
        spec(for: parsed)?.touchesDatabase ?? false
    }

    /// A command open before `AUTH` that takes no arguments and is answered at once.
    private static func open(_ name: String, _ answer: @escaping @Sendable () -> (Reply, Session.After)) -> CommandSpec {
        CommandSpec(
            name: name, needsAuth: false, touchesDatabase: false, requires: nil,
            handler: .immediate { request in
                try expectNoArguments(request)
                return answer()
            })
    }

    /// A request command that changes the store (CREATE, ACT; the workflow checks the role):
    /// its write carries the session's credential.
    private static func change(
        _ name: String, _ body: @escaping @Sendable (RequestLine, Actor, Credential?, ServerContext) async throws -> Reply
    ) -> CommandSpec {
        CommandSpec(
            name: name, needsAuth: true, touchesDatabase: true, requires: nil,
            handler: .awaiting { call in
                guard let actor = call.actor else { throw ProtocolError(.authRequired, "authenticate with AUTH <token> first") }
                return (try await body(call.request, actor, call.session.credential, call.context), .carryOn)
            })
    }

    /// A request command over the store: needs `AUTH`, touches the database.
    private static func request(
        _ name: String, requires: Operation?,
        _ body: @escaping @Sendable (RequestLine, Actor, ServerContext) async throws -> Reply
    ) -> CommandSpec {
        CommandSpec(
            name: name, needsAuth: true, touchesDatabase: true, requires: requires,
            handler: .awaiting { call in
                guard let actor = call.actor else { throw ProtocolError(.authRequired, "authenticate with AUTH <token> first") }
                return (try await body(call.request, actor, call.context), .carryOn)
            })
    }

    static func expectNoArguments(_ request: RequestLine) throws {
        guard request.positional.isEmpty, request.named.isEmpty else {
            throw ProtocolError(.badArgument, "\(request.command) takes no arguments")
        }
    }
}
