import Deadlines
import LineProtocol
import Workflow

/// `HELP` and `HELP command`: what the protocol offers, from the command table and the
/// transition table (nothing written twice). Open before `AUTH`; it touches no database.
enum HelpCommand {
    static func help(_ request: RequestLine) throws -> Reply {
        guard request.named.isEmpty, request.positional.count <= 1 else {
            throw ProtocolError(.badArgument, "HELP takes at most one word: HELP or HELP ACT")
        }
        guard let word = request.positional.first?.uppercased() else {
            let records = CommandTable.commands.map { spec in
                Reply.Record("command", [Reply.Field("name", spec.name), Reply.Field("usage", spec.usage), Reply.Field("about", spec.about)])
            }
            return .ok([Reply.Field("count", String(records.count))], records: records)
        }
        guard let spec = CommandTable.spec(for: word) else {
            throw ProtocolError(.badArgument, "no command \(word); HELP lists them")
        }
        let command = [Reply.Field("usage", spec.usage), Reply.Field("about", spec.about)]
        switch word {
        case "ACT":
            // Each action someone may take, with its fields, who may take it and from where.
            let records = Action.actable.map { action in
                let row = TransitionTable.spec(for: action)
                return Reply.Record(
                    "action",
                    [
                        Reply.Field("name", action.rawValue), Reply.Field("fields", row.fieldSynopsis), Reply.Field("roles", row.whoMay),
                        Reply.Field("from", RequestState.allCases.filter(row.from.contains).map(\.rawValue).joined(separator: ",")),
                        Reply.Field("kinds", RequestKind.allCases.filter(row.kinds.contains).map(\.rawValue).joined(separator: ",")),
                        Reply.Field("clock", row.clock),
                    ])
            }
            let values = TransitionTable.fieldValues.map {
                Reply.Record("values", [Reply.Field("field", $0.field), Reply.Field("values", $0.values)])
            }
            return .ok(command + [Reply.Field("count", String(records.count))], records: records + values)
        case "CREATE":
            let records = RequestKind.allCases.map { kind in
                Reply.Record(
                    "kind", [Reply.Field("name", kind.rawValue), Reply.Field("fields", TransitionTable.createSpec(for: kind).fieldSynopsis)])
            }
            return .ok(command + [Reply.Field("count", String(records.count))], records: records)
        default:
            return .ok(command, records: [])
        }
    }
}
