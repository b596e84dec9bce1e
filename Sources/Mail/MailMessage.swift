import Foundation

/// One plain-text e-mail to one recipient, written so that no value can steer it.
///
/// Display names are quoted (`"Smith, John"`) or, outside printable ASCII, RFC 2047-encoded;
/// every header value is one line whatever it holds; addresses are `EmailAddress`es, so a
/// name can never add a recipient. The delivery command is given `to` as an argument: the
/// headers are for the reader, never read back for recipients. MIME 1.0, UTF-8 text; lines
/// too long for SMTP (998 octets) make the body quoted-printable, otherwise it is sent as it is.
public struct MailMessage: Sendable, Equatable {
    public var from: EmailAddress
    public var fromName: String?
    public var to: EmailAddress
    public var toName: String?
    public var subject: String
    /// The `Date:` header's value (RFC 5322 3.3), e.g. `Mon, 07 Dec 2026 09:30:00 +0000`.
    public var date: String
    /// The `Message-ID:` header's value without its angle brackets.
    public var messageID: String
    /// More headers (`X-Foiflow-Request`), each value written as unstructured text.
    public var extraHeaders: [(name: String, value: String)]
    public var body: String

    public init(
        from: EmailAddress, fromName: String? = nil, to: EmailAddress, toName: String? = nil, subject: String, date: String,
        messageID: String, extraHeaders: [(name: String, value: String)] = [], body: String
    ) {
        self.from = from
        self.fromName = fromName
        self.to = to
        self.toName = toName
        self.subject = subject
        self.date = date
        self.messageID = messageID
        self.extraHeaders = extraHeaders
        self.body = body
    }

    public static func == (lhs: MailMessage, rhs: MailMessage) -> Bool { lhs.rendered == rhs.rendered }

    /// The message as handed to the delivery command: headers, a blank line, the body; LF line ends.
    public var rendered: String {
        let bodyLines = Self.lines(of: body)
        let quotedPrintable = bodyLines.contains { $0.utf8.count > 998 }
        var headers = [
            "From: " + Self.mailbox(from, name: fromName),
            "To: " + Self.mailbox(to, name: toName),
            "Subject: " + Self.unstructured(subject),
            "Date: " + Self.singleLine(date),
            "Message-ID: <" + Self.singleLine(messageID).filter { $0 != "<" && $0 != ">" && $0 != " " } + ">",
        ]
        for header in extraHeaders where Self.isHeaderName(header.name) {
            headers.append(header.name + ": " + Self.unstructured(header.value))
        }
        headers += [
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: " + (quotedPrintable ? "quoted-printable" : "8bit"),
        ]
        let text = quotedPrintable ? bodyLines.map(Self.quotedPrintable).joined(separator: "\n") : bodyLines.joined(separator: "\n")
        return headers.joined(separator: "\n") + "\n\n" + text + "\n"
    }

    // MARK: Header values

    /// `"Display Name" <addr>`, or `addr` alone when there is no name.
    static func mailbox(_ address: EmailAddress, name: String?) -> String {
        guard let name, let phrase = phrase(name) else { return address.text }
        return phrase + " <" + address.text + ">"
    }

    /// A display name as one RFC 5322 `phrase`: a quoted string for printable ASCII, else
    /// RFC 2047 encoded words. `nil` when nothing printable is left.
    static func phrase(_ name: String) -> String? {
        let clean = singleLine(name)
        guard !clean.isEmpty else { return nil }
        if clean.utf8.count <= 900, clean.utf8.allSatisfy(isPrintableASCII), !clean.contains("=?") {
            var quoted = "\""
            for character in clean {
                if character == "\"" || character == "\\" { quoted.append("\\") }
                quoted.append(character)
            }
            return quoted + "\""
        }
        return encodedWords(clean)
    }

    /// An unstructured header value (a subject): as it is when it is short printable ASCII,
    /// else RFC 2047 encoded words.
    static func unstructured(_ value: String) -> String {
        let clean = singleLine(value)
        if clean.utf8.count <= 900, clean.utf8.allSatisfy(isPrintableASCII), !clean.contains("=?") { return clean }
        return encodedWords(clean)
    }

    /// `text` on one line: every control character, line break and bidirectional control
    /// becomes a space, runs of spaces one, none at either end.
    static func singleLine(_ text: String) -> String {
        var result = ""
        var pendingSpace = false
        for scalar in text.unicodeScalars {
            if scalar == " " || isUnsafeInHeader(scalar) {
                pendingSpace = !result.isEmpty
                continue
            }
            if pendingSpace { result.unicodeScalars.append(" ") }
            pendingSpace = false
            result.unicodeScalars.append(scalar)
        }
        return result
    }

    /// Anything that may not stand in a header: a `ControlScalar` (tab, CR and LF among them).
    static func isUnsafeInHeader(_ scalar: Unicode.Scalar) -> Bool { ControlScalar.isControl(scalar) }

    static func isPrintableASCII(_ byte: UInt8) -> Bool { byte >= 0x20 && byte < 0x7F }

    /// `=?utf-8?b?...?=` words of at most 75 characters (45 octets each, never splitting a
    /// character), folded onto continuation lines.
    static func encodedWords(_ text: String) -> String {
        var words: [String] = []
        var chunk: [UInt8] = []
        func flush() {
            guard !chunk.isEmpty else { return }
            words.append("=?utf-8?b?" + Data(chunk).base64EncodedString() + "?=")
            chunk = []
        }
        for scalar in text.unicodeScalars {
            let bytes = Array(String(scalar).utf8)
            if chunk.count + bytes.count > 45 { flush() }
            chunk += bytes
        }
        flush()
        return words.joined(separator: "\n ")
    }

    /// A header field name: printable ASCII but the colon (RFC 5322 2.2).
    static func isHeaderName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: ":") }
    }

    // MARK: Body

    /// The body's lines, with CR LF and lone CR read as line ends.
    static func lines(of body: String) -> [String] {
        body.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    /// One line in quoted-printable (RFC 2045 6.7), soft-broken at 76 characters.
    static func quotedPrintable(_ line: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        var width = 0
        let bytes = Array(line.utf8)
        for (index, byte) in bytes.enumerated() {
            let isLast = index == bytes.count - 1
            let literal = (byte >= 33 && byte <= 126 && byte != UInt8(ascii: "=")) || ((byte == 0x20 || byte == 0x09) && !isLast)
            let piece: [UInt8] = literal ? [byte] : [UInt8(ascii: "="), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            if width + piece.count > 75 {
                out += Array("=\n".utf8)
                width = 0
            }
            out += piece
            width += piece.count
        }
        return String(decoding: out, as: UTF8.self)
    }
}
