import Foundation

/// RFC 4180 records read from a file a chunk at a time, so memory stays bounded by the caps,
/// not by the file.
///
/// Hand-built because the CSV library reads an unterminated quote as data up to the end of
/// the file without a word (issue 24: every later row became one requester name), accepts text
/// after a closing quote, and has no cap on a field. Here an unterminated quote is an error
/// naming the line it opened on, a stray character after a closing quote is an error naming
/// its line, and a field over `maxFieldBytes` is reported (and not kept) while reading goes on.
/// Line ends are CRLF, LF or a lone CR; a UTF-8 byte-order mark at the start is skipped.
struct CSVRecords {
    /// One record: the physical line it starts on (1-based) and its fields as raw UTF-8.
    struct Record {
        var line: Int
        var fields: [[UInt8]]
        /// Fields (by index) cut for being longer than the cap.
        var overlong: [Int] = []
    }

    /// A file that cannot be read as CSV at all from `line` on: reading stops.
    struct Malformed: Error, Equatable {
        var line: Int
        var message: String
    }

    /// The next chunk of the file; empty at its end.
    private let read: () throws -> [UInt8]
    private let maxFieldBytes: Int
    private var buffer: [UInt8] = []
    private var position = 0
    private var atEnd = false
    private var line = 1
    private var started = false

    init(maxFieldBytes: Int, read: @escaping () throws -> [UInt8]) {
        self.read = read
        self.maxFieldBytes = maxFieldBytes
    }

    /// Records of an open file, read 64 KiB at a time.
    init(handle: FileHandle, maxFieldBytes: Int) {
        self.init(maxFieldBytes: maxFieldBytes) { Array(try handle.read(upToCount: 65_536) ?? Data()) }
    }

    /// Records of bytes already in memory.
    init(data: Data, maxFieldBytes: Int) {
        var rest: Data? = data
        self.init(maxFieldBytes: maxFieldBytes) {
            defer { rest = nil }
            return rest.map { Array($0) } ?? []
        }
    }

    /// The next byte, or `nil` at the end of the file.
    private mutating func nextByte() throws -> UInt8? {
        if position == buffer.count {
            guard !atEnd else { return nil }
            buffer = try read()
            position = 0
            if buffer.isEmpty {
                atEnd = true
                return nil
            }
        }
        defer { position += 1 }
        return buffer[position]
    }

    /// The next byte without taking it.
    private mutating func peekByte() throws -> UInt8? {
        guard let byte = try nextByte() else { return nil }
        position -= 1
        return byte
    }

    /// Takes a line end that starts with `byte` (CR LF counts once) and counts the line.
    private mutating func takeLineEnd(_ byte: UInt8) throws {
        if byte == CSVRecords.cr, try peekByte() == CSVRecords.lf { position += 1 }
        line += 1
    }

    static let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")

    /// The next record, or `nil` at the end of the file.
    mutating func next() throws -> Record? {
        if !started {
            started = true
            if try peekByte() == 0xEF {
                let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
                var matched = 0
                while matched < 3, try peekByte() == bom[matched] {
                    position += 1
                    matched += 1
                }
                if matched != 3 { position -= matched }
            }
        }
        guard try peekByte() != nil else { return nil }
        var record = Record(line: line, fields: [])
        var field: [UInt8] = []
        var fieldLength = 0
        func append(_ byte: UInt8) {
            fieldLength += 1
            if fieldLength <= maxFieldBytes { field.append(byte) }
        }
        func endField() {
            if fieldLength > maxFieldBytes {
                record.overlong.append(record.fields.count)
                field = []
            }
            record.fields.append(field)
            field = []
            fieldLength = 0
        }
        fieldLoop: while true {
            // The start of a field: quoted, or plain up to the next comma or line end.
            var byte = try nextByte()
            let quoted = byte == CSVRecords.quote
            if quoted {
                let opened = line
                while true {
                    guard let inside = try nextByte() else {
                        throw Malformed(
                            line: opened,
                            message: "a quoted field opens here and is never closed (an unterminated \"); nothing after it could be read")
                    }
                    if inside == CSVRecords.quote {
                        if try peekByte() == CSVRecords.quote {
                            position += 1
                            append(CSVRecords.quote)
                            continue
                        }
                        break
                    }
                    if inside == CSVRecords.cr || inside == CSVRecords.lf {
                        try takeLineEnd(inside)
                        // A line break inside a cell is a newline, whichever the spreadsheet wrote.
                        append(CSVRecords.lf)
                        continue
                    }
                    append(inside)
                }
                byte = try nextByte()
            }
            // After a closing quote only the end of the field, the record or the file may come.
            while true {
                switch try boundary(byte) {
                case .field:
                    endField()
                    continue fieldLoop
                case .record:
                    endField()
                    return record
                case .data:
                    if quoted {
                        throw Malformed(
                            line: line, message: "text after a closing quote (a quote inside a quoted field is written twice: \"\")")
                    }
                    if let byte { append(byte) }
                }
                byte = try nextByte()
            }
        }
    }

    /// What a byte outside quotes does: ends the field (a comma), ends the record (a line end,
    /// taken here, or the end of the file), or is data.
    private enum Boundary { case field, record, data }

    private mutating func boundary(_ byte: UInt8?) throws -> Boundary {
        switch byte {
        case nil: return .record
        case CSVRecords.comma?: return .field
        case let end? where end == CSVRecords.cr || end == CSVRecords.lf:
            try takeLineEnd(end)
            return .record
        default: return .data
        }
    }
}
