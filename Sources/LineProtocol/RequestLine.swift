/// One tokenized request line: optional tag, command word, arguments.
///
/// Grammar (PROTOCOL.md, "Tokens" and "Tags"):
/// `[#tag] COMMAND {positional} {key=value}`, separated by spaces or tabs;
/// a value is bare (no space, tab, `"`, `=` or control character) or quoted
/// with the escapes `\"`, `\\`, `\n`, `\t`, `\r`.
public struct RequestLine: Sendable, Equatable {
    /// The tag without its `#`, when the line had one.
    public var tag: String?
    /// The command word, upper-cased.
    public var command: String
    /// Positional arguments, in order.
    public var positional: [String]
    /// Named arguments, in the order given (keys are unique).
    public var named: [(key: String, value: String)]

    public init(tag: String? = nil, command: String, positional: [String] = [], named: [(key: String, value: String)] = []) {
        self.tag = tag
        self.command = command
        self.positional = positional
        self.named = named
    }

    /// The value of the named argument `key`, if given.
    public subscript(key: String) -> String? {
        named.first(where: { $0.key == key })?.value
    }

    public static func == (lhs: RequestLine, rhs: RequestLine) -> Bool {
        lhs.tag == rhs.tag && lhs.command == rhs.command && lhs.positional == rhs.positional
            && lhs.named.map(\.key) == rhs.named.map(\.key) && lhs.named.map(\.value) == rhs.named.map(\.value)
    }
}

/// What one line of input is.
public enum ParsedLine: Sendable, Equatable {
    /// Empty or only spaces and tabs: no reply.
    case blank
    /// A well-formed request.
    case request(RequestLine)
    /// A line that cannot be accepted; answered with the error (and the tag, if one was read).
    case invalid(tag: String?, ProtocolError)
}

extension RequestLine {
    /// Tokenizes one line (without its LF; a trailing CR is ignored).
    public static func parse(_ bytes: some Collection<UInt8>) -> ParsedLine {
        var scanner = Scanner(Array(bytes))
        return scanner.parseLine()
    }

    /// Tokenizes one line given as text.
    public static func parse(_ text: String) -> ParsedLine {
        parse(Array(text.utf8))
    }

    /// The longest tag allowed after `#`.
    public static let maxTagLength = 32
}

/// Byte-level scanner behind `RequestLine.parse`.
private struct Scanner {
    var bytes: [UInt8]
    var index = 0

    init(_ bytes: [UInt8]) {
        var bytes = bytes
        if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
        self.bytes = bytes
    }

    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")
    static let quote = UInt8(ascii: "\"")
    static let equals = UInt8(ascii: "=")
    static let backslash = UInt8(ascii: "\\")

    var atEnd: Bool { index >= bytes.count }

    mutating func skipBlanks() {
        while index < bytes.count, bytes[index] == Scanner.space || bytes[index] == Scanner.tab { index += 1 }
    }

    static func isControl(_ b: UInt8) -> Bool { b < 0x20 || b == 0x7f }

    mutating func parseLine() -> ParsedLine {
        if bytes.contains(0) { return .invalid(tag: nil, ProtocolError(.badFormat, "the line contains a NUL byte")) }
        guard String(validating: bytes, as: UTF8.self) != nil else {
            return .invalid(tag: nil, ProtocolError(.badFormat, "the line is not valid UTF-8"))
        }
        skipBlanks()
        if atEnd { return .blank }

        var tag: String?
        if bytes[index] == UInt8(ascii: "#") {
            let start = index + 1
            var end = start
            while end < bytes.count, bytes[end] != Scanner.space, bytes[end] != Scanner.tab { end += 1 }
            let tagBytes = bytes[start..<end]
            guard (1...RequestLine.maxTagLength).contains(tagBytes.count), tagBytes.allSatisfy(Scanner.isTagByte) else {
                return .invalid(tag: nil, ProtocolError(.badFormat, "a tag is # followed by 1 to 32 of A-Z a-z 0-9 _ -"))
            }
            tag = String(decoding: tagBytes, as: UTF8.self)
            index = end
            skipBlanks()
            if atEnd { return .invalid(tag: tag, ProtocolError(.badFormat, "a command is missing after the tag")) }
        }

        // Command word: a bare token with no '='.
        let commandStart = index
        while index < bytes.count, bytes[index] != Scanner.space, bytes[index] != Scanner.tab { index += 1 }
        let commandBytes = bytes[commandStart..<index]
        guard commandBytes.allSatisfy({ !Scanner.isControl($0) && $0 != Scanner.quote && $0 != Scanner.equals }) else {
            return .invalid(tag: tag, ProtocolError(.badFormat, "the command word must be a bare word"))
        }
        // Upper-cased in ASCII only: `pıng` (dotless i) must not become `PING`.
        let command = String(decoding: commandBytes.map { $0 >= 0x61 && $0 <= 0x7A ? $0 - 0x20 : $0 }, as: UTF8.self)

        var positional: [String] = []
        var named: [(key: String, value: String)] = []
        while true {
            skipBlanks()
            if atEnd { break }
            switch readArgument() {
            case .failure(let error):
                return .invalid(tag: tag, error)
            case .success(.positional(let value)):
                guard named.isEmpty else {
                    return .invalid(tag: tag, ProtocolError(.badArgument, "positional argument \(Reply.encodeValue(value)) after a named one"))
                }
                positional.append(value)
            case .success(.named(let key, let value)):
                guard Scanner.isValidKey(key) else {
                    return .invalid(
                        tag: tag, ProtocolError(.badArgument, "bad argument name \(Reply.encodeValue(key)): names are lower-case [a-z][a-z0-9_-]*"))
                }
                if named.contains(where: { $0.key == key }) {
                    return .invalid(tag: tag, ProtocolError(.badArgument, "argument '\(key)' given twice"))
                }
                named.append((key, value))
            }
        }
        return .request(RequestLine(tag: tag, command: command, positional: positional, named: named))
    }

    enum Argument {
        case positional(String)
        case named(String, String)
    }

    mutating func readArgument() -> Result<Argument, ProtocolError> {
        if bytes[index] == Scanner.quote {
            return readQuoted().map { .positional($0) }
        }
        let start = index
        while index < bytes.count {
            let b = bytes[index]
            if b == Scanner.space || b == Scanner.tab || b == Scanner.equals { break }
            if b == Scanner.quote || Scanner.isControl(b) {
                return .failure(ProtocolError(.badFormat, "a bare value may not contain a quote or control character"))
            }
            index += 1
        }
        let word = String(decoding: bytes[start..<index], as: UTF8.self)
        guard index < bytes.count, bytes[index] == Scanner.equals else { return .success(.positional(word)) }
        index += 1  // '='
        guard !word.isEmpty else { return .failure(ProtocolError(.badArgument, "an argument name is missing before '='")) }
        if atEnd || bytes[index] == Scanner.space || bytes[index] == Scanner.tab {
            return .failure(ProtocolError(.badArgument, "argument '\(word)' has no value (write \(word)=\"\" for an empty one)"))
        }
        if bytes[index] == Scanner.quote {
            return readQuoted().map { .named(word, $0) }
        }
        let valueStart = index
        while index < bytes.count, bytes[index] != Scanner.space, bytes[index] != Scanner.tab {
            let b = bytes[index]
            if b == Scanner.quote || b == Scanner.equals || Scanner.isControl(b) {
                return .failure(ProtocolError(.badFormat, "the value of '\(word)' must be quoted: it contains a quote, '=' or control character"))
            }
            index += 1
        }
        return .success(.named(word, String(decoding: bytes[valueStart..<index], as: UTF8.self)))
    }

    mutating func readQuoted() -> Result<String, ProtocolError> {
        index += 1  // opening quote
        var out: [UInt8] = []
        while index < bytes.count {
            let b = bytes[index]
            if b == Scanner.quote {
                index += 1
                if index < bytes.count, bytes[index] != Scanner.space, bytes[index] != Scanner.tab {
                    return .failure(ProtocolError(.badFormat, "a quoted value must be followed by a space, a tab or the end of the line"))
                }
                return .success(String(decoding: out, as: UTF8.self))
            }
            if b == Scanner.backslash {
                guard index + 1 < bytes.count else { break }
                switch bytes[index + 1] {
                case Scanner.quote: out.append(Scanner.quote)
                case Scanner.backslash: out.append(Scanner.backslash)
                case UInt8(ascii: "n"): out.append(UInt8(ascii: "\n"))
                case UInt8(ascii: "t"): out.append(UInt8(ascii: "\t"))
                case UInt8(ascii: "r"): out.append(UInt8(ascii: "\r"))
                default:
                    return .failure(
                        ProtocolError(.badFormat, "unknown escape \\\(String(decoding: [bytes[index + 1]], as: UTF8.self)) in a quoted value"))
                }
                index += 2
                continue
            }
            out.append(b)
            index += 1
        }
        return .failure(ProtocolError(.badFormat, "unterminated quoted value"))
    }

    static func isTagByte(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
            || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: "_") || b == UInt8(ascii: "-")
    }

    static func isValidKey(_ key: String) -> Bool {
        let utf8 = Array(key.utf8)
        guard let first = utf8.first, first >= UInt8(ascii: "a"), first <= UInt8(ascii: "z") else { return false }
        return utf8.dropFirst().allSatisfy { b in
            (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9"))
                || b == UInt8(ascii: "_") || b == UInt8(ascii: "-")
        }
    }
}
