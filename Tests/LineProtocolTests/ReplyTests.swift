import LineProtocol
import Testing

@Suite struct ReplyTests {
    @Test func statusLines() {
        #expect(Reply.ok(words: ["pong"]).encoded() == "OK pong\n")
        #expect(Reply.ok([.init("user", "asmith"), .init("role", "officer")]).encoded(tag: "a1") == "#a1 OK user=asmith role=officer\n")
        #expect(Reply.error(.notFound, "no such\nrequest").encoded() == "ERR NOT_FOUND no such request\n")
    }

    @Test func dataLinesThenStatus() {
        let reply = Reply.ok(
            [.init("count", "1")], records: [.init("request", [.init("ref", "FOI-2026-000001"), .init("subject", "a b"), .init("team", "")])])
        #expect(reply.encoded() == "* request ref=FOI-2026-000001 subject=\"a b\" team=\"\"\nOK count=1\n")
    }

    @Test func valuesThatMustBeQuoted() {
        #expect(Reply.encodeValue("plain") == "plain")
        #expect(Reply.encodeValue("") == "\"\"")
        #expect(Reply.encodeValue("a=b") == "\"a=b\"")
        #expect(Reply.encodeValue("say \"hi\"\n") == #""say \"hi\"\n""#)
        #expect(Reply.encodeValue("tab\there") == #""tab\there""#)
        #expect(Reply.encodeValue("back\\slash") == "back\\slash")
    }

    /// Any string encoded as a value and read back by the tokenizer is unchanged.
    @Test func valuesRoundTripThroughTheTokenizer() throws {
        var samples = ["", " ", "\"", "\\", "\\\"", "=", "a=b", "\n", "\r\n", "\t", "Jane O'Neil", "Zoë 🚓", "#tag", "*", "OK", "\u{7f}", "\u{1}x"]
        var rng = SystemRandomNumberGenerator()
        let alphabet: [Character] = ["a", "Z", "0", " ", "\t", "\n", "\r", "\"", "\\", "=", "#", "é", "😀", "\u{1}", "'", ","]
        for _ in 0..<2000 {
            let length = Int.random(in: 0...24, using: &rng)
            samples.append(String((0..<length).map { _ in alphabet.randomElement(using: &rng) ?? "a" }))
        }
        for value in samples {
            let line = "X " + Reply.encodeValue(value) + " k=" + Reply.encodeValue(value)
            guard case .request(let request) = RequestLine.parse(line) else {
                Issue.record("could not parse \(line.debugDescription)")
                continue
            }
            #expect(request.positional == [value], "positional \(value.debugDescription)")
            #expect(request["k"] == value, "named \(value.debugDescription)")
        }
    }

    @Test func recordsReadBackWithTheSameTokenizer() throws {
        let reply = Reply.ok([], records: [.init("request", [.init("ref", "FOI-1"), .init("note", "x=\"y\"\n")])])
        let dataLine = String(reply.encoded().split(separator: "\n", omittingEmptySubsequences: false)[0])
        #expect(dataLine.hasPrefix("* "))
        guard case .request(let parsed) = RequestLine.parse(String(dataLine.dropFirst(2))) else {
            Issue.record("data line not readable")
            return
        }
        #expect(parsed.command == "REQUEST")
        #expect(parsed["note"] == "x=\"y\"\n")
    }

    @Test func everyErrorCodeIsOneUpperCaseWord() {
        for code in ErrorCode.allCases {
            #expect(code.rawValue.allSatisfy { $0.isUppercase || $0 == "_" })
        }
        #expect(ErrorCode.allCases.count == 15)
    }
}
