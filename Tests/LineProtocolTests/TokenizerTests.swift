import LineProtocol
import Testing

@Suite struct TokenizerTests {
    func request(_ line: String) throws -> RequestLine {
        guard case .request(let request) = RequestLine.parse(line) else {
            Issue.record("not a request: \(RequestLine.parse(line))")
            throw TokenizerFailure()
        }
        return request
    }

    struct TokenizerFailure: Error {}

    func error(_ line: String) -> (String?, ErrorCode)? {
        guard case .invalid(let tag, let error) = RequestLine.parse(line) else { return nil }
        return (tag, error.code)
    }

    @Test func commandWordIsCaseInsensitive() throws {
        #expect(try request("ping").command == "PING")
        #expect(try request("  \tPiNg\t ").command == "PING")
    }

    @Test func protocolExampleLine() throws {
        let r = try request(#"CREATE foi received=2026-11-20 requester="Jane O'Neil" subject="Stop and search, 2025""#)
        #expect(r.command == "CREATE")
        #expect(r.positional == ["foi"])
        #expect(r.named.map(\.key) == ["received", "requester", "subject"])
        #expect(r["requester"] == "Jane O'Neil")
        #expect(r["subject"] == "Stop and search, 2025")
    }

    @Test func tagsAreRead() throws {
        let r = try request("#r1 RISK within=5")
        #expect(r.tag == "r1" && r.command == "RISK" && r["within"] == "5")
        #expect(try request("#" + String(repeating: "a", count: 32) + " PING").tag?.count == 32)
    }

    @Test func badTags() {
        #expect(error("#" + String(repeating: "a", count: 33) + " PING")?.1 == .badFormat)
        #expect(error("# PING")?.1 == .badFormat)
        #expect(error("#a.b PING")?.1 == .badFormat)
        // A valid tag with nothing after it keeps the tag in the error.
        #expect(error("#ok")?.0 == "ok")
    }

    @Test func blankLinesAreIgnored() {
        #expect(RequestLine.parse("") == .blank)
        #expect(RequestLine.parse(" \t ") == .blank)
        #expect(RequestLine.parse("\r") == .blank)
    }

    @Test func trailingCarriageReturnIsIgnored() throws {
        #expect(try request("PING\r").command == "PING")
    }

    @Test func escapesInQuotedValues() throws {
        let r = try request(#"X a="q\"b\\c\nd\te\rf""#)
        #expect(r["a"] == "q\"b\\c\nd\te\rf")
        let r2 = try request(#"X "positional one" k="""#)
        #expect(r2.positional == ["positional one"])
        #expect(r2["k"] == "")
    }

    @Test func malformedLines() {
        #expect(error(#"X a="unterminated"#)?.1 == .badFormat)
        #expect(error(#"X a="bad \q escape""#)?.1 == .badFormat)
        #expect(error(#"X a="x"y"#)?.1 == .badFormat)
        #expect(error("X a=b\"c")?.1 == .badFormat)
        #expect(error("X a=b=c")?.1 == .badFormat)
        #expect(error("X a= b")?.1 == .badArgument)
        #expect(error("X a=")?.1 == .badArgument)
        #expect(error("X =b")?.1 == .badArgument)
        #expect(error("X A=b")?.1 == .badArgument)
        #expect(error("X 9a=b")?.1 == .badArgument)
        #expect(error("X a=1 a=2")?.1 == .badArgument)
        #expect(error("X a=1 positional")?.1 == .badArgument)
    }

    @Test func invalidUTF8AndNUL() {
        #expect(RequestLine.parse([0x50, 0xff, 0x47]) == .invalid(tag: nil, ProtocolError(.badFormat, "the line is not valid UTF-8")))
        guard case .invalid(_, let e) = RequestLine.parse([0x50, 0x00, 0x47]) else {
            Issue.record("NUL accepted")
            return
        }
        #expect(e.code == .badFormat)
    }

    @Test func unicodeValuesStayBare() throws {
        let r = try request("X name=Zoë city=Kraków")
        #expect(r["name"] == "Zoë" && r["city"] == "Kraków")
    }
}
