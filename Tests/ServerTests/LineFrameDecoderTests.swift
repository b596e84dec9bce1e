import LineProtocol
import NIOCore
import Server
import Testing
import Workflow

@Suite struct LineFrameDecoderTests {
    /// Feeds `chunks` one after another and returns every decoded item, as text.
    func decode(_ chunks: [[UInt8]], max: Int = 16, eof: Bool = false) throws -> (items: [String], maxHeld: Int) {
        var decoder = LineFrameDecoder(maxLength: max)
        var buffer = ByteBuffer()
        var items: [String] = []
        var maxHeld = 0
        func drain() throws {
            while let item = try decoder.decode(buffer: &buffer) {
                switch item {
                case .line(let line): items.append(String(buffer: line))
                case .tooLong: items.append("<too long>")
                }
            }
            buffer.discardReadBytes()
            maxHeld = Swift.max(maxHeld, buffer.readableBytes)
        }
        for chunk in chunks {
            buffer.writeBytes(chunk)
            try drain()
        }
        if eof {
            while let item = try decoder.decodeLast(buffer: &buffer, seenEOF: true) {
                if case .line(let line) = item { items.append(String(buffer: line)) } else { items.append("<too long>") }
            }
        }
        return (items, maxHeld)
    }

    func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    @Test func splitsLinesAndDropsCR() throws {
        #expect(try decode([bytes("PING\nHELLO\r\n\nX")]).items == ["PING", "HELLO", ""])
    }

    @Test func linesSplitAcrossReads() throws {
        let text = bytes("one\ntwo\r\nthree\n")
        for cut in 1..<text.count {
            #expect(try decode([Array(text[..<cut]), Array(text[cut...])]).items == ["one", "two", "three"], "cut at \(cut)")
        }
    }

    @Test func exactlyMaxLengthIsAccepted() throws {
        let line = String(repeating: "a", count: 16)
        #expect(try decode([bytes(line + "\n")]).items == [line])
        #expect(try decode([bytes(line + "\r\n")]).items == [line])
        #expect(try decode([bytes(line + "b\n")]).items == ["<too long>"])
    }

    @Test func tooLongLineIsReportedOnceAndFollowingLinesSurvive() throws {
        let long = String(repeating: "x", count: 100)
        #expect(try decode([bytes(long + "\nPING\n")]).items == ["<too long>", "PING"])
        // Arriving in many small reads, with the LF much later.
        let chunks = (0..<50).map { _ in bytes("yyyyyyyyyy") } + [bytes("\nAFTER\n")]
        #expect(try decode(chunks).items == ["<too long>", "AFTER"])
    }

    @Test func neverHoldsMoreThanALineWhileDiscarding() throws {
        let chunks = (0..<1000).map { _ in [UInt8](repeating: UInt8(ascii: "z"), count: 1000) }
        let result = try decode(chunks + [bytes("\nOK\n")], max: 16)
        #expect(result.items == ["<too long>", "OK"])
        #expect(result.maxHeld <= 16 + 2)
    }

    @Test func lastLineWithoutLFCountsAtEOF() throws {
        #expect(try decode([bytes("PING\nQUIT")], eof: true).items == ["PING", "QUIT"])
        #expect(try decode([bytes("PING\nQUIT\r")], eof: true).items == ["PING", "QUIT"])
    }
}

/// One list of codes: every code has a documented exit status, and every error type says its code.
@Suite struct ErrorCodeTableTests {
    @Test func everyCodeHasADocumentedExitStatus() {
        for code in ErrorCode.allCases {
            #expect((1...7).contains(code.exitStatus), "\(code)")
        }
        #expect(WorkflowError.inconsistent("x").code == .internal)
        #expect(WorkflowError.idempotencyMismatch("x").code.rawValue == "IDEMPOTENCY_MISMATCH")
        #expect(WorkflowError.badArgument("x").code.exitStatus == 2 && WorkflowError.invalidTransition("x").code.exitStatus == 7)
        #expect(ProtocolError(.lineTooLong, "x").code == .lineTooLong)
    }
}
