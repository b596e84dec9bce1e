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
        await handle(parsed, spec: CommandTable.spec(for: parsed))
    }

    /// What `answerAtOnce` could do with a line.
    enum AtOnce {
        /// A blank line: no reply.
        case blank
        /// Answered without waiting.
        case answered((reply: Reply, tag: String?, after: After))
        /// The line needs `handle`, which may wait (the database, the credentials check).
        case mustAwait
    }

    /// Answers a line that needs no waiting (a blank or malformed line, or a command the
    /// table answers at once and that needs no `AUTH`) without an asynchronous call.
    /// `spec` is the line's command, looked up once by the caller.
    func answerAtOnce(_ parsed: ParsedLine, spec: CommandSpec?) -> AtOnce {
        switch parsed {
        case .blank:
            return .blank
        case .invalid(let tag, let error):
            return .answered((.error(error), tag, .carryOn))
        case .request(let request):
            guard let spec, !spec.needsAuth, case .immediate(let handler) = spec.handler else { return .mustAwait }
            let started = context.metrics == nil ? nil : ContinuousClock.now
            let reply: Reply, after: After
            do {
                (reply, after) = try handler(request)
            } catch let error as ProtocolError {
                (reply, after) = (.error(error), .carryOn)
            } catch {
                (reply, after) = (context.reply(for: error, connectionID: connectionID), .carryOn)
            }
            if let started { record(request, reply, since: started) }
            return .answered((reply, request.tag, after))
        }
    }

    /// Answers one line whose command is `spec`; `nil` for a blank line.
    func handle(_ parsed: ParsedLine, spec: CommandSpec?) async -> (reply: Reply, tag: String?, after: After)? {
        switch parsed {
        case .blank:
            return nil
        case .invalid(let tag, let error):
            return (.error(error), tag, .carryOn)
        case .request(let request):
            let started = context.metrics == nil ? nil : ContinuousClock.now
            let (reply, after) = await handle(request, spec: spec)
            if let started { record(request, reply, since: started) }
            return (reply, request.tag, after)
        }
    }

    /// Counts and times a command for `/metrics`: its word and `ok` or its error code.
    private func record(_ request: RequestLine, _ reply: Reply, since started: ContinuousClock.Instant) {
        let result: String
        switch reply.status {
        case .error(let error): result = error.code.rawValue
        default: result = "ok"
        }
        context.metrics?.commandFinished(request.command, result: result, after: ContinuousClock.now - started)
    }

    /// Answers one request from the command table: unknown word, `AUTH` first, the
    /// session's user confirmed, the command's permission, then its handler.
    func handle(_ request: RequestLine, spec: CommandSpec?) async -> (Reply, After) {
        do {
            guard let spec else {
                throw ProtocolError(.unknownCommand, "unknown command \(Reply.encodeValue(request.command))")
            }
            var actor: Actor?
            if spec.needsAuth {
                guard user != nil else { throw ProtocolError(.authRequired, "authenticate with AUTH <token> first") }
                guard let user = try await confirmedUser() else {
                    throw ProtocolError(.authFailed, "the session's credentials were revoked; authenticate again")
                }
                actor = Actor(login: user.login, role: user.role, team: user.team)
                if let operation = spec.requires { try Permissions.require(user.role, operation) }
            }
            switch spec.handler {
            case .immediate(let handler): return try handler(request)
            case .awaiting(let handler): return try await handler(CommandSpec.Call(request: request, actor: actor, session: self))
            }
        } catch let error as ProtocolError {
            return (.error(error), .carryOn)
        } catch {
            if case WorkflowError.revoked = error { unauthenticate() }
            return (context.reply(for: error, connectionID: connectionID), .carryOn)
        }
    }

    func authenticate(_ request: RequestLine) async throws -> Reply {
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

    /// The credential the session's writes carry, so the database refuses them once revoked.
    var credential: Credential? {
        user.map { Credential(userID: $0.id, tokenHash: tokenHash) }
    }

    private func unauthenticate() {
        user = nil
        tokenHash = []
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
            unauthenticate()
            return nil
        }
        self.user = current
        confirmedAt = version
        return current
    }
}
