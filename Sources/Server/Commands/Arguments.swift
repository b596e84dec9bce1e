import Dates
import LineProtocol

/// Reads a request's arguments strictly: each problem is `BAD_ARGUMENT` naming the argument.
struct Arguments {
    let request: RequestLine
    /// The command's usage, quoted in errors.
    let usage: String

    init(_ request: RequestLine, usage: String) {
        self.request = request
        self.usage = usage
    }

    /// The positional arguments, which must number `count` (or lie in `count`).
    func positional(_ count: ClosedRange<Int>) throws(ProtocolError) -> [String] {
        guard count.contains(request.positional.count) else {
            throw ProtocolError(.badArgument, "wrong number of arguments; usage: \(usage)")
        }
        return request.positional
    }

    /// The one argument of a command that takes nothing else, such as `SHOW <ref>`.
    static func only(_ request: RequestLine, usage: String) throws(ProtocolError) -> String {
        let args = Arguments(request, usage: usage)
        let value = try args.positional(1...1)[0]
        try args.onlyNamed([])
        return value
    }

    /// Refuses named arguments other than `allowed`.
    func onlyNamed(_ allowed: Set<String>) throws(ProtocolError) {
        if let unknown = request.named.first(where: { !allowed.contains($0.key) }) {
            throw ProtocolError(.badArgument, "unknown argument '\(unknown.key)'; usage: \(usage)")
        }
    }

    /// The named argument `key`, if given.
    subscript(key: String) -> String? { request[key] }

    /// The named argument `key`, which must be given.
    func required(_ key: String) throws(ProtocolError) -> String {
        guard let value = request[key] else { throw ProtocolError(.badArgument, "missing argument '\(key)'; usage: \(usage)") }
        return value
    }

    /// `text` as a `YYYY-MM-DD` date, naming `name` when it is not one.
    static func date(_ text: String, _ name: String) throws(ProtocolError) -> CivilDate {
        guard let date = CivilDate(iso: text) else {
            throw ProtocolError(.badArgument, "\(name) \(Reply.encodeValue(text)) is not a valid date (YYYY-MM-DD)")
        }
        return date
    }

    /// `text` as an integer, naming `name` when it is not one.
    static func integer(_ text: String, _ name: String) throws(ProtocolError) -> Int {
        guard let value = Int(text) else {
            throw ProtocolError(.badArgument, "\(name) \(Reply.encodeValue(text)) is not a whole number")
        }
        return value
    }
}
