import Dates
import Deadlines
import LineProtocol
import Statistics
import Store
import Workflow

/// `STATS from= to= [as_of=] [kind=] [by=month | table=reviews|ico|backlog]`.
enum StatsCommand {
    static let usage = "STATS from=<date> to=<date> [as_of=<date>] [kind=K] [by=month | table=reviews|ico|backlog]"

    static func stats(_ request: RequestLine, actor: Actor, _ context: ServerContext) async throws -> Reply {
        let args = Arguments(request, usage: usage)
        _ = try args.positional(0...0)
        try args.onlyNamed(["from", "to", "as_of", "kind", "by", "table"])
        let period = try StatsPeriod(
            from: args.required("from"), to: args.required("to"), asOf: args["as_of"], kind: args["kind"], today: context.today())
        if args["by"] != nil, args["table"] != nil { throw ProtocolError(.badArgument, "give by=month or table=..., not both; usage: \(usage)") }
        if let by = args["by"] {
            guard by == "month" else { throw ProtocolError(.badArgument, "by=\(Reply.encodeValue(by)): only by=month; usage: \(usage)") }
            let (_, months) = try await context.stats.period(from: period.from, to: period.to, asOf: period.asOf, kinds: period.kinds)
            return .ok([.init("count", String(months.count))], records: months.map { Reply.Record("month", $0.figures.fields) })
        }
        switch args["table"] {
        case nil:
            let (figures, _) = try await context.stats.period(from: period.from, to: period.to, asOf: period.asOf, kinds: period.kinds)
            let records =
                figures.stats.map { Reply.Record("stat", [Field("name", $0.name), Field("value", $0.value.text)]) }
                + figures.exemptions.map { Reply.Record("exemption", [Field("section", $0.code), Field("value", String($0.count))]) }
            return .ok([.init("count", String(records.count))], records: records)
        case "reviews", "ico":
            let (reviews, ico) = try await context.stats.appeals(from: period.from, to: period.to, asOf: period.asOf)
            let name = args["table"] ?? ""
            let stats = name == "reviews" ? reviews.stats : ico.stats
            let records = stats.map { Reply.Record(name == "reviews" ? "review" : "ico", [Field("name", $0.name), Field("value", $0.value.text)]) }
            return .ok([.init("count", String(records.count))], records: records)
        case "backlog":
            let backlog = try await context.stats.backlog(asOf: period.asOf)
            return .ok([.init("count", String(backlog.count))], records: backlog.map { Reply.Record("backlog", $0.figures.fields) })
        case let other?:
            throw ProtocolError(.badArgument, "table=\(Reply.encodeValue(other)) is not one of reviews, ico, backlog; usage: \(usage)")
        }
    }
}
