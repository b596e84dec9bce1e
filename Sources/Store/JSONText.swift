import Workflow

/// JSON written by hand for the hot paths (every CREATE and ACT writes its fields as JSON):
/// Foundation's serializer bridges every value through `Any` and cost a tenth of a CREATE's
/// CPU in the server.
enum JSONText {
    /// A JSON string literal.
    static func string(_ text: String) -> String {
        var out = "\""
        out.reserveCapacity(text.utf8.count + 2)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// Fields as a JSON array of `[key, value]` pairs, in order.
    static func fields(_ fields: [Field]) -> String {
        "[" + fields.map { "[\(string($0.key)),\(string($0.value))]" }.joined(separator: ",") + "]"
    }
}
