/// A reply: zero or more data lines, then one status line.
public struct Reply: Sendable, Equatable {
    /// One `* type key=value ...` data line.
    public struct Record: Sendable, Equatable {
        public var type: String
        public var fields: [Field]
        public init(_ type: String, _ fields: [Field]) {
            self.type = type
            self.fields = fields
        }
    }

    /// A `key=value` pair of a record or status line.
    public struct Field: Sendable, Equatable {
        public var key: String
        public var value: String
        public init(_ key: String, _ value: String) {
            self.key = key
            self.value = value
        }
    }

    /// The status line.
    public enum Status: Sendable, Equatable {
        /// `OK` followed by bare words (`pong`, `bye`) and then fields.
        case ok(words: [String], fields: [Field])
        /// `ERR CODE text`.
        case error(ProtocolError)
    }

    public var records: [Record]
    public var status: Status

    public init(records: [Record] = [], status: Status) {
        self.records = records
        self.status = status
    }

    /// `OK` with fields.
    public static func ok(_ fields: [Field] = [], records: [Record] = []) -> Reply {
        Reply(records: records, status: .ok(words: [], fields: fields))
    }

    /// `OK word ...` (e.g. `OK pong`).
    public static func ok(words: [String]) -> Reply {
        Reply(status: .ok(words: words, fields: []))
    }

    /// `ERR CODE text`.
    public static func error(_ error: ProtocolError) -> Reply {
        Reply(status: .error(error))
    }

    public static func error(_ code: ErrorCode, _ message: String) -> Reply {
        Reply(status: .error(ProtocolError(code, message)))
    }

    /// The reply as protocol text, each line ending in LF; the status line
    /// starts with `#tag ` when `tag` is given.
    public func encoded(tag: String? = nil) -> String {
        var out = ""
        for record in records {
            out += "* "
            out += record.type
            for field in record.fields {
                out += " "
                out += field.key
                out += "="
                out += Reply.encodeValue(field.value)
            }
            out += "\n"
        }
        if let tag {
            out += "#"
            out += tag
            out += " "
        }
        switch status {
        case .ok(let words, let fields):
            out += "OK"
            for word in words { out += " " + word }
            for field in fields { out += " \(field.key)=\(Reply.encodeValue(field.value))" }
        case .error(let error):
            out += "ERR \(error.code.rawValue) \(Reply.sanitize(error.message))"
        }
        out += "\n"
        return out
    }

    /// A value as the protocol writes it: bare when it can be, else quoted with escapes.
    public static func encodeValue(_ value: String) -> String {
        if !value.isEmpty, value.utf8.allSatisfy(isBareByte) { return value }
        let escaped = Escaper.escape(value) { scalar in
            switch scalar {
            case "\"": "\\\""
            case "\\": "\\\\"
            case "\n": "\\n"
            case "\t": "\\t"
            case "\r": "\\r"
            default: nil
            }
        }
        return "\"" + escaped + "\""
    }

    static func isBareByte(_ b: UInt8) -> Bool {
        !(b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") || b == UInt8(ascii: "\"") || b == UInt8(ascii: "=") || b < 0x20 || b == 0x7f)
    }

    /// Error text is for people and must stay on one line.
    static func sanitize(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7f ? " " : $0 }))
    }
}
