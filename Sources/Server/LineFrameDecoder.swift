import NIOCore

/// One framed line of input, or the news that a line was too long.
public enum InboundLine: Sendable, Equatable {
    /// A line's bytes without the LF and without a CR just before it.
    case line(ByteBuffer)
    /// A line exceeded the limit; its bytes up to the next LF are being dropped.
    case tooLong
}

/// Splits input into LF-terminated lines of at most `maxLength` bytes.
///
/// It never holds more than `maxLength + 2` bytes of one line: as soon as a
/// line is known to be too long it emits `.tooLong` and then drops input up
/// to and including the next LF, keeping the connection usable. (NIO-extras'
/// `LineBasedFrameDecoder` has no such discard mode, hence this one.)
public struct LineFrameDecoder: NIOSingleStepByteToMessageDecoder {
    public typealias InboundOut = InboundLine

    public let maxLength: Int
    private var discarding = false
    /// How far into the readable bytes we already looked for LF.
    private var scanned = 0

    public init(maxLength: Int) {
        self.maxLength = max(1, maxLength)
    }

    public mutating func decode(buffer: inout ByteBuffer) throws -> InboundLine? {
        while true {
            let view = buffer.readableBytesView
            if discarding {
                guard let lf = view.firstIndex(of: UInt8(ascii: "\n")) else {
                    buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
                    return nil
                }
                buffer.moveReaderIndex(to: lf + 1)
                discarding = false
                scanned = 0
                continue
            }
            let start = view.startIndex
            // Look for LF only as far as a maximal line (+ CR + LF) can reach.
            let limit = min(view.endIndex, start + maxLength + 2)
            let from = start + scanned
            if from < limit, let lf = view[from..<limit].firstIndex(of: UInt8(ascii: "\n")) {
                var length = lf - start
                if length > 0, view[lf - 1] == UInt8(ascii: "\r") { length -= 1 }
                scanned = 0
                if length > maxLength {
                    buffer.moveReaderIndex(to: lf + 1)
                    return .tooLong
                }
                let line = buffer.getSlice(at: start, length: length) ?? ByteBuffer()
                buffer.moveReaderIndex(to: lf + 1)
                return .line(line)
            }
            scanned = limit - start
            if view.count > maxLength + 1 {
                // No LF within reach: the line is too long. Drop what was examined and discard to the next LF.
                buffer.moveReaderIndex(to: limit)
                discarding = true
                scanned = 0
                return .tooLong
            }
            return nil
        }
    }

    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> InboundLine? {
        if let line = try decode(buffer: &buffer) { return line }
        // A last line without LF at end of input still counts as a request.
        guard seenEOF, !discarding, buffer.readableBytes > 0 else {
            buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
            return nil
        }
        var line = buffer
        buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
        if line.readableBytesView.last == UInt8(ascii: "\r") { line.moveWriterIndex(to: line.writerIndex - 1) }
        scanned = 0
        return .line(line)
    }
}
