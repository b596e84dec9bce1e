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
    /// Its syntax and what it does, in one line each (`HELP`).
    let usage: String
    let about: String

    init(
        name: String, needsAuth: Bool, touchesDatabase: Bool, requires: Operation?, usage: String = "", about: String = "",
        handler: Handler
    ) {
        self.name = name
        self.usage = usage.isEmpty ? name : usage
        self.about = about
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
        open("PING", about: "answers OK pong") { (.ok(words: ["pong"]), .carryOn) },
        open("HELLO", about: "the server's name, version and protocol version") {
            let fields: [Reply.Field] = [
                .init("server", FoiflowVersion.name), .init("version", FoiflowVersion.current),
                .init("protocol", String(FoiflowVersion.protocolVersion)),
            ]
            return (.ok(fields), .carryOn)
        },
        open("QUIT", about: "ends the session; the server closes the connection") { (.ok(words: ["bye"]), .close) },
        CommandSpec(
            name: "HELP", needsAuth: false, touchesDatabase: false, requires: nil, usage: "HELP [command]",
            about: "every command, or one command's syntax (HELP ACT: each action with its fields; HELP CREATE: each kind's)",
            handler: .immediate { request in (try HelpCommand.help(request), .carryOn) }),
        CommandSpec(
            name: "AUTH", needsAuth: false, touchesDatabase: true, requires: nil, usage: "AUTH token",
            about: "authenticates the session with a user's API token",
            handler: .awaiting { call in (try await call.session.authenticate(call.request), .carryOn) }),
        change(
            "CREATE", usage: "CREATE kind received=DATE requester=TEXT [field=value ...] [idempotency=KEY]",
            about: "creates a request; its acknowledgement is written with it", RequestCommands.create),
        request("SHOW", requires: .read, usage: "SHOW ref", about: "one request's fields", RequestCommands.show),
        request("HISTORY", requires: .read, usage: "HISTORY ref", about: "a request's events, oldest first", RequestCommands.history),
        request("EXPLAIN", requires: .read, usage: "EXPLAIN ref", about: "how the due date was reached, day by day", RequestCommands.explain),
        request("LETTERS", requires: .read, usage: "LETTERS ref", about: "a request's letters", RequestCommands.letters),
        request("LETTER", requires: .read, usage: "LETTER id", about: "one letter's whole text", RequestCommands.letter),
        change(
            "ACT", usage: "ACT ref action [expect=VERSION] [field=value ...]",
            about: "takes an action on a request (HELP ACT lists them with their fields)", RequestCommands.act),
        change(
            "REQUESTER", usage: "REQUESTER ref reason=TEXT",
            about: "the requester's other requests (managers and admins; each look is recorded)", RequestCommands.requester),
        request("COST", requires: .read, usage: "COST ref", about: "the s.12 cost estimate and aggregation", RequestCommands.cost),
        request(
            "LIST", requires: .read, usage: "LIST [state=S] [kind=K] [assignee=U] [limit=N] [after=REF]", about: "requests by reference",
            RequestCommands.list),
        request(
            "SEARCH", requires: .read, usage: "SEARCH text=WORDS [kind=K] [state=S] [from=DATE] [to=DATE] [limit=N]",
            about: "full-text search over subjects and notes", RequestCommands.search),
        request("GROUNDS", requires: .read, usage: "GROUNDS [kind=K]", about: "the refusal grounds responses cite", RequestCommands.grounds),
        request(
            "STATS", requires: .read, usage: "STATS from=DATE to=DATE [as_of=DATE] [kind=K] [by=month]",
            about: "the quarterly return's figures", StatsCommand.stats),
        request(
            "RISK", requires: .read, usage: "RISK [within=N] [kind=K] [assignee=U] [team=T] [limit=N]",
            about: "open requests overdue or due soon, most urgent first", RequestCommands.risk),
        CommandSpec(
            name: "WORKDAY", needsAuth: true, touchesDatabase: false, requires: .read,
            usage: "WORKDAY ADD DATE N | BETWEEN DATE DATE | IS DATE [calendar=C]", about: "working-day arithmetic",
            handler: .awaiting { call in (try await CalendarCommands.workday(call.request, call.context), .carryOn) }),
        CommandSpec(
            name: "DEADLINE", needsAuth: true, touchesDatabase: false, requires: .read, usage: "DEADLINE kind received=DATE [calendar=C]",
            about: "the due date and latest due date of a new request",
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
    private static func open(_ name: String, about: String, _ answer: @escaping @Sendable () -> (Reply, Session.After)) -> CommandSpec {
        CommandSpec(
            name: name, needsAuth: false, touchesDatabase: false, requires: nil, about: about,
            handler: .immediate { request in
                try expectNoArguments(request)
                return answer()
            })
    }

    /// A request command that changes the store (CREATE, ACT; the workflow checks the role):
    /// its write carries the session's credential.
    private static func change(
        _ name: String, usage: String, about: String,
        _ body: @escaping @Sendable (RequestLine, Actor, Credential?, ServerContext) async throws -> Reply
    ) -> CommandSpec {
        CommandSpec(
            name: name, needsAuth: true, touchesDatabase: true, requires: nil, usage: usage, about: about,
            handler: .awaiting { call in
                guard let actor = call.actor else { throw ProtocolError(.authRequired, "authenticate with AUTH <token> first") }
                return (try await body(call.request, actor, call.session.credential, call.context), .carryOn)
            })
    }

    /// A request command over the store: needs `AUTH`, touches the database.
    private static func request(
        _ name: String, requires: Operation?, usage: String, about: String,
        _ body: @escaping @Sendable (RequestLine, Actor, ServerContext) async throws -> Reply
    ) -> CommandSpec {
        CommandSpec(
            name: name, needsAuth: true, touchesDatabase: true, requires: requires, usage: usage, about: about,
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
