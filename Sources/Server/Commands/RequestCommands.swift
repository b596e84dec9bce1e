import Dates
import Deadlines
import LineProtocol
import Store
import Workflow

/// CREATE, SHOW, HISTORY, ACT, LIST and RISK over the request store.
enum RequestCommands {
    static func create(_ request: RequestLine, actor: Actor, credential: Credential?, _ context: ServerContext) async throws -> Reply {
        let args = Arguments(request, usage: "CREATE <kind> received=<date> requester=<text> [field=value ...] [idempotency=KEY]")
        let values = try args.positional(1...1)
        guard let kind = RequestKind(name: values[0]) else {
            throw ProtocolError(.badArgument, "unknown kind \(Reply.encodeValue(values[0])); kinds: \(RequestKind.names)")
        }
        let key = args["idempotency"]
        if let key, key.isEmpty || key.utf8.count > 200 { throw ProtocolError(.badArgument, "idempotency must be 1 to 200 bytes") }
        let fields = request.named.filter { $0.key != "idempotency" }.map { Field($0.key, $0.value) }
        let result = try await context.requests.create(
            kind: kind, fields: fields, idempotencyKey: key, by: actor, credential: credential, today: context.today())
        return .ok(changeFields(result))
    }

    static func show(_ request: RequestLine, actor: Actor, _ context: ServerContext) async throws -> Reply {
        let ref = try Arguments.only(request, usage: "SHOW <ref>")
        let view = try await context.requests.show(ref: ref, today: context.today(), scope: actor.scope)
        return .ok([], records: [Reply.Record("request", view.fields)])
    }

    static func explain(_ request: RequestLine, actor: Actor, _ context: ServerContext) async throws -> Reply {
        let ref = try Arguments.only(request, usage: "EXPLAIN <ref>")
        let view = try await context.requests.explain(ref: ref, today: context.today(), scope: actor.scope)
        return .ok(view.summaryFields.map { Reply.Field($0.key, $0.value) }, records: view.dayFields.map { Reply.Record("day", $0) })
    }

    static func letters(_ request: RequestLine, actor: Actor, _ context: ServerContext) async throws -> Reply {
        let ref = try Arguments.only(request, usage: "LETTERS <ref>")
        let letters = try await context.letters.letters(ref: ref, scope: actor.scope)
        return .ok([.init("count", String(letters.count))], records: letters.map { Reply.Record("letter", $0.summaryFields) })
    }

    static func letter(_ request: RequestLine, actor: Actor, _ context: ServerContext) async throws -> Reply {
        let text = try Arguments.only(request, usage: "LETTER <id>")
        guard let id = Int(text), id > 0 else { throw ProtocolError(.badArgument, "\(Reply.encodeValue(text)) is not a letter id") }
        let letter = try await context.letters.letter(id: id, scope: actor.scope)
        return .ok([], records: [Reply.Record("letter", letter.fullFields)])
    }

    static func history(_ request: RequestLine, actor: Actor, _ context: ServerContext) async throws -> Reply {
        let ref = try Arguments.only(request, usage: "HISTORY <ref>")
        let events = try await context.requests.history(ref: ref, scope: actor.scope)
        return .ok([.init("count", String(events.count))], records: events.map { Reply.Record("event", $0.recordFields) })
    }

    static func act(_ request: RequestLine, actor: Actor, credential: Credential?, _ context: ServerContext) async throws -> Reply {
        let args = Arguments(request, usage: "ACT <ref> <action> [expect=VERSION] [field=value ...]")
        let values = try args.positional(2...2)
        let ref = values[0]
        guard let action = Action(actName: values[1]) else {
            throw ProtocolError(.badArgument, "unknown action \(Reply.encodeValue(values[1])); actions: \(Action.actableNames)")
        }
        var expected: Int?
        if let text = args["expect"] {
            guard let version = Int(text), version >= 1 else {
                throw ProtocolError(.badArgument, "expect=\(Reply.encodeValue(text)) is not a version number")
            }
            expected = version
        }
        let fields = request.named.filter { $0.key != "expect" }.map { Field($0.key, $0.value) }
        let result = try await context.requests.act(
            ref: ref, action: action, fields: fields, expectedVersion: expected, by: actor, credential: credential, today: context.today())
        return .ok(changeFields(result))
    }

    /// The requester's other requests (managers and admins, for a stated reason; the look is
    /// recorded as an event on `ref`).
    static func requester(_ request: RequestLine, actor: Actor, credential: Credential?, _ context: ServerContext) async throws -> Reply {
        let args = Arguments(request, usage: "REQUESTER <ref> reason=TEXT")
        let ref = try args.positional(1...1)[0]
        try args.onlyNamed(["reason"])
        let others = try await context.requests.requesterHistory(
            ref: ref, reason: args["reason"] ?? "", by: actor, credential: credential, today: context.today())
        return .ok([.init("count", String(others.count))], records: others.map { Reply.Record("request", $0.fields) })
    }

    /// The s.12 estimate of a request and of those aggregated with it, against the limit.
    static func cost(_ request: RequestLine, actor: Actor, _ context: ServerContext) async throws -> Reply {
        let ref = try Arguments.only(request, usage: "COST <ref>")
        let report = try await context.requests.cost(ref: ref, scope: actor.scope)
        return .ok(report.fields.map { Reply.Field($0.key, $0.value) }, records: report.lines.map { Reply.Record("cost", $0.fields) })
    }

    static func search(_ request: RequestLine, actor: Actor, _ context: ServerContext) async throws -> Reply {
        let args = Arguments(request, usage: "SEARCH text=WORDS [kind=K] [state=S] [from=DATE] [to=DATE] [limit=N]")
        _ = try args.positional(0...0)
        try args.onlyNamed(["text", "kind", "state", "from", "to", "limit"])
        var query = SearchQuery(text: try args.required("text"))
        query.kind = try kind(args["kind"])
        if let text = args["state"] {
            guard let state = RequestState(rawValue: text.lowercased()) else {
                throw ProtocolError(.badArgument, "unknown state \(Reply.encodeValue(text)); states: \(RequestState.names)")
            }
            query.state = state
        }
        query.from = try args["from"].map { text throws(ProtocolError) in try Arguments.date(text, "from") }
        query.to = try args["to"].map { text throws(ProtocolError) in try Arguments.date(text, "to") }
        if let text = args["limit"] {
            guard let limit = Int(text) else {
                throw ProtocolError(.badArgument, "limit=\(Reply.encodeValue(text)) must be a whole number from 1 to \(SearchQuery.maxLimit)")
            }
            query.limit = limit
        }
        if let problem = query.problem { throw ProtocolError(.badArgument, problem) }
        let hits = try await context.requests.search(query, scope: actor.scope)
        return .ok([.init("count", String(hits.count))], records: hits.map { Reply.Record("request", $0.fields) })
    }

    static func list(_ request: RequestLine, actor: Actor, _ context: ServerContext) async throws -> Reply {
        let args = Arguments(request, usage: "LIST [state=S] [kind=K] [assignee=U] [team=T] [limit=N] [after=REF]")
        _ = try args.positional(0...0)
        try args.onlyNamed(["state", "kind", "assignee", "team", "limit", "after"])
        var filter = RequestFilter()
        if let text = args["state"] {
            guard let state = RequestState(rawValue: text.lowercased()) else {
                throw ProtocolError(.badArgument, "unknown state \(Reply.encodeValue(text)); states: \(RequestState.names)")
            }
            filter.state = state
        }
        filter.kind = try kind(args["kind"])
        filter.assignee = args["assignee"]
        filter.team = args["team"]
        filter.after = args["after"]
        filter.limit = try limit(args["limit"])
        let page = try await context.requests.list(filter, today: context.today(), scope: actor.scope)
        var status: [Reply.Field] = [.init("count", String(page.requests.count))]
        if let next = page.next { status.append(.init("next", next)) }
        return .ok(status, records: page.requests.map { Reply.Record("request", $0.summaryFields) })
    }

    static func risk(_ request: RequestLine, actor: Actor, _ context: ServerContext) async throws -> Reply {
        let args = Arguments(request, usage: "RISK [within=N] [kind=K] [assignee=U] [team=T] [limit=N]")
        _ = try args.positional(0...0)
        try args.onlyNamed(["within", "kind", "assignee", "team", "limit"])
        var within = 5
        if let text = args["within"] {
            guard let value = Int(text), (0...WorkingDayCalendar.maxOffset).contains(value) else {
                throw ProtocolError(
                    .badArgument, "within=\(Reply.encodeValue(text)) must be a whole number from 0 to \(WorkingDayCalendar.maxOffset)")
            }
            within = value
        }
        let views = try await context.requests.risk(
            within: within, asOf: context.today(), kind: try kind(args["kind"]), assignee: args["assignee"],
            team: args["team"], limit: try limit(args["limit"]), scope: actor.scope)
        return .ok([.init("count", String(views.count))], records: views.map { Reply.Record("request", $0.summaryFields) })
    }

    // MARK: Helpers

    /// `GROUNDS [kind=K]`: the refusal grounds, each with its kinds, test, pit and ncnd.
    static func grounds(_ request: RequestLine, actor: Actor, _ context: ServerContext) async throws -> Reply {
        let args = Arguments(request, usage: "GROUNDS [kind=K]")
        _ = try args.positional(0...0)
        try args.onlyNamed(["kind"])
        let kind = try kind(args["kind"])
        let table = try await context.requests.grounds.table()
        let grounds = kind.map(table.grounds(for:)) ?? table.grounds
        return .ok(
            [.init("count", String(grounds.count))],
            records: grounds.map { Reply.Record("ground", GroundsStore.fields($0)) })
    }

    static func changeFields(_ result: ChangeResult) -> [Reply.Field] {
        result.fields.map { Reply.Field($0.key, $0.value) }
    }

    static func kind(_ text: String?) throws(ProtocolError) -> RequestKind? {
        guard let text else { return nil }
        guard let kind = RequestKind(name: text) else {
            throw ProtocolError(.badArgument, "unknown kind \(Reply.encodeValue(text)); kinds: \(RequestKind.names)")
        }
        return kind
    }

    static func limit(_ text: String?) throws(ProtocolError) -> Int {
        guard let text else { return 100 }
        guard let value = Int(text), (1...1000).contains(value) else {
            throw ProtocolError(.badArgument, "limit=\(Reply.encodeValue(text)) must be a whole number from 1 to 1000")
        }
        return value
    }
}

extension Reply.Record {
    /// A data line of `type` with the fields of a view.
    init(_ type: String, _ fields: [Field]) {
        self.init(type, fields.map { Reply.Field($0.key, $0.value) })
    }
}
