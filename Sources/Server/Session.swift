import LineProtocol
import Store
import Workflow

/// One client's state and the commands it may run.
///
/// A session handles its lines strictly in order, one at a time, so replies
/// come back in request order even when the client pipelines.
public final class Session {
    /// What the connection should do after a reply is written.
    public enum After: Sendable {
        case carryOn
        case close
    }

    let context: ServerContext
    /// A number naming this connection in logs.
    let connectionID: UInt64
    /// The authenticated user, once `AUTH` succeeded.
    public private(set) var user: User?
    /// The hash of the token the user authenticated with, to check it is still theirs.
    private var tokenHash: [UInt8] = []
    /// The credentials version at which `user` was last confirmed.
    private var confirmedAt = 0

    init(context: ServerContext, connectionID: UInt64) {
        self.context = context
        self.connectionID = connectionID
    }

    /// Answers one parsed line.
    public func handle(_ parsed: ParsedLine) async -> (reply: Reply, tag: String?, after: After)? {
        switch parsed {
        case .blank:
            return nil
        case .invalid(let tag, let error):
            return (.error(error), tag, .carryOn)
        case .request(let request):
            let (reply, after) = await handle(request)
            return (reply, request.tag, after)
        }
    }

    func handle(_ request: RequestLine) async -> (Reply, After) {
        do {
            switch request.command {
            case "PING":
                try expectNoArguments(request)
                return (.ok(words: ["pong"]), .carryOn)
            case "HELLO":
                try expectNoArguments(request)
                return (.ok([
                    .init("server", FoiflowVersion.name), .init("version", FoiflowVersion.current),
                    .init("protocol", String(FoiflowVersion.protocolVersion)),
                ]), .carryOn)
            case "QUIT":
                try expectNoArguments(request)
                return (.ok(words: ["bye"]), .close)
            case "AUTH":
                return (try await authenticate(request), .carryOn)
            default:
                guard user != nil else {
                    if Session.knownCommands.contains(request.command) {
                        return (.error(.authRequired, "authenticate with AUTH <token> first"), .carryOn)
                    }
                    return (.error(.unknownCommand, "unknown command \(Reply.encodeValue(request.command))"), .carryOn)
                }
                guard let user = try await confirmedUser() else {
                    throw ProtocolError(.authFailed, "the session's credentials were revoked; authenticate again")
                }
                let actor = Actor(login: user.login, role: user.role)
                switch request.command {
                case "CREATE": return (try await RequestCommands.create(request, actor: actor, context), .carryOn)
                case "SHOW": return (try await RequestCommands.show(request, actor: actor, context), .carryOn)
                case "HISTORY": return (try await RequestCommands.history(request, actor: actor, context), .carryOn)
                case "ACT": return (try await RequestCommands.act(request, actor: actor, context), .carryOn)
                case "LIST": return (try await RequestCommands.list(request, actor: actor, context), .carryOn)
                case "RISK": return (try await RequestCommands.risk(request, actor: actor, context), .carryOn)
                case "WORKDAY":
                    try Permissions.require(actor.role, .read)
                    return (try await CalendarCommands.workday(request, context), .carryOn)
                case "DEADLINE":
                    try Permissions.require(actor.role, .read)
                    return (try await CalendarCommands.deadline(request, context), .carryOn)
                default: return (.error(.unknownCommand, "unknown command \(Reply.encodeValue(request.command))"), .carryOn)
                }
            }
        } catch let error as ProtocolError {
            return (.error(error), .carryOn)
        } catch {
            return (context.reply(for: error, connectionID: connectionID), .carryOn)
        }
    }

    /// Commands of the protocol that need `AUTH` first.
    static let knownCommands: Set<String> = [
        "CREATE", "SHOW", "HISTORY", "ACT", "LIST", "RISK", "DEADLINE", "WORKDAY",
    ]

    private func authenticate(_ request: RequestLine) async throws -> Reply {
        // Whatever happens next, the session is no longer the user it was.
        user = nil
        guard request.positional.count == 1, request.named.isEmpty else {
            throw ProtocolError(.badArgument, "usage: AUTH <token>")
        }
        // The version is read before the user, so a revocation committed after this read
        // is seen as a newer version at the next command.
        let version = try await context.credentials.current()
        guard let user = try await context.users.authenticate(token: request.positional[0]) else {
            context.logger.notice("authentication failed", metadata: ["connection": "\(connectionID)"])
            throw ProtocolError(.authFailed, "unknown or revoked token")
        }
        self.user = user
        tokenHash = UserStore.tokenHash(request.positional[0])
        confirmedAt = version
        return .ok([.init("user", user.login), .init("role", user.role.rawValue)])
    }

    /// The session's user, checked again if any user changed since it was last confirmed
    /// (disabled, token rotated, role changed, removed). `nil`, and the session
    /// unauthenticated, when the user may no longer act.
    private func confirmedUser() async throws -> User? {
        guard let user else { return nil }
        let version = try await context.credentials.current()
        if version == confirmedAt { return user }
        guard let current = try await context.users.recheck(id: user.id, tokenHash: tokenHash) else {
            context.logger.notice("session credentials revoked", metadata: ["connection": "\(connectionID)", "user": "\(user.login)"])
            self.user = nil
            tokenHash = []
            return nil
        }
        self.user = current
        confirmedAt = version
        return current
    }

    private func expectNoArguments(_ request: RequestLine) throws {
        guard request.positional.isEmpty, request.named.isEmpty else {
            throw ProtocolError(.badArgument, "\(request.command) takes no arguments")
        }
    }
}
