import Dates
import Deadlines
import LineProtocol
import Workflow

/// JSON written by hand for the hot paths (every CREATE and ACT writes its fields as JSON):
/// Foundation's serializer bridges every value through `Any` and cost a tenth of a CREATE's
/// CPU in the server.
enum JSONText {
    /// A JSON string literal.
    static func string(_ text: String) -> String {
        let escaped = Escaper.escape(text) { scalar in
            switch scalar {
            case "\"": return "\\\""
            case "\\": return "\\\\"
            case "\n": return "\\n"
            case "\r": return "\\r"
            case "\t": return "\\t"
            default:
                guard scalar.value < 0x20 else { return nil }
                let hex = String(scalar.value, radix: 16)
                return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            }
        }
        return "\"" + escaped + "\""
    }

    /// Fields as a JSON array of `[key, value]` pairs, in order; a value whose key `keeps`
    /// refuses is written `null` (the history's place for a personal value).
    static func fields(_ fields: [Field], keeps: (String) -> Bool = { _ in true }) -> String {
        "[" + fields.map { "[\(string($0.key)),\(keeps($0.key) ? string($0.value) : "null")]" }.joined(separator: ",") + "]"
    }

    /// A statutory clock as its `Codable` form writes it with sorted keys (absent optionals
    /// left out), which `JSONDecoder` reads back; every CREATE and ACT stores one.
    static func clock(_ clock: StatutoryClock) -> String {
        func date(_ value: CivilDate) -> String { "\"\(value)\"" }
        var parts: [String] = [
            #""extensionDays":\#(clock.extensionDays)"#,
            #""extensionMonths":\#(clock.extensionMonths)"#,
            #""extensions":["# + clock.extensions.map { #"{"amount":\#($0.amount),"on":\#(date($0.on))}"# }.joined(separator: ",") + "]",
            #""feePeriods":["# + clock.feePeriods.map { #"{"notice":\#(date($0.notice)),"paid":\#(date($0.paid))}"# }.joined(separator: ",") + "]",
            #""pausedDays":\#(clock.pausedDays)"#,
        ]
        if let reason = clock.pausedReason { parts.append(#""pausedReason":\#(string(reason.rawValue))"#) }
        if let since = clock.pausedSince { parts.append(#""pausedSince":\#(date(since))"#) }
        if let set = clock.setDate {
            var fields = [#""basis":\#(string(set.basis))"#]
            if let due = set.due { fields.append(#""due":\#(date(due))"#) }
            fields.append(#""event":\#(string(set.event))"#)
            fields.append(#""on":\#(date(set.on))"#)
            parts.append(#""set":{"# + fields.joined(separator: ",") + "}")
        }
        parts.append(#""start":\#(date(clock.start))"#)
        parts.append(
            #""stops":["#
                + clock.stops.map { #"{"from":\#(date($0.from)),"reason":\#(string($0.reason.rawValue)),"to":\#(date($0.to))}"# }
                .joined(separator: ",") + "]")
        return "{" + parts.joined(separator: ",") + "}"
    }
}
