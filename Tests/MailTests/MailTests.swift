import Foundation
import Testing

@testable import Mail

@Suite struct EmailAddressTests {
    @Test(arguments: [
        "jane@example.org", "J.O'Neil+foi@mail.example.co.uk", "a@b.cd", "x_y-z@sub-domain.example.net",
    ])
    func oneAddressIsAccepted(_ text: String) {
        #expect(EmailAddress(text)?.text == text)
    }

    @Test(arguments: [
        "", "jane", "jane@", "@example.org", "jane@localhost", "jane@@example.org", "a@b@example.org",
        "x@example.net, victim@example.com", "x@example.net,victim@example.com", "Jane <jane@example.org>",
        "jane@example.org\r\nBcc: victim@example.com", "jane@example.org\nBcc: victim@example.com", "\"jane\"@example.org",
        "jane smith@example.org", "jane..smith@example.org", ".jane@example.org", "jane.@example.org", "jane@-example.org",
        "jane@example-.org", "jane@exa_mple.org", "jané@example.org", "jane@example.org ", "-oQ/tmp@example.org",
        "jane@[127.0.0.1]", "jane@example..org", "jane(comment)@example.org",
    ])
    func anythingElseIsRefused(_ text: String) {
        #expect(EmailAddress(text) == nil)
        #expect(EmailAddress.problem(text) != nil)
    }

    @Test func lengthsAreBounded() {
        #expect(EmailAddress(String(repeating: "a", count: 64) + "@example.org") != nil)
        #expect(EmailAddress(String(repeating: "a", count: 65) + "@example.org") == nil)
        let long = String(repeating: "a", count: 60) + "@" + Array(repeating: String(repeating: "b", count: 60), count: 4).joined(separator: ".")
        #expect(long.utf8.count > 254 && EmailAddress(long) == nil)
    }

    @Test func aLocalDomainIsOnlyForASenderOnTheMachine() {
        #expect(EmailAddress("foiflow@localhost") == nil)
        #expect(EmailAddress("foiflow@localhost", localDomain: true)?.text == "foiflow@localhost")
        #expect(EmailAddress("a@b@localhost", localDomain: true) == nil)
    }

    @Test func theProblemDoesNotRepeatTheAddress() {
        let text = "secret.person@example.org, victim@example.com"
        let problem = EmailAddress.problem(text) ?? ""
        #expect(!problem.isEmpty && !problem.contains("secret"))
    }
}

@Suite struct MailMessageTests {
    func message(
        toName: String?, subject: String = "Your request FOI-2026-000001: received", body: String = "Dear Jane,\n\nThank you."
    ) throws
        -> MailMessage
    {
        MailMessage(
            from: try #require(EmailAddress("foi@example.org")), fromName: "Disclosure Unit", to: try #require(EmailAddress("jane@example.org")),
            toName: toName, subject: subject, date: "Mon, 07 Dec 2026 09:30:00 +0000", messageID: "n-1@example.org",
            extraHeaders: [("X-Foiflow-Request", "FOI-2026-000001")], body: body)
    }

    func headers(_ text: String) -> [String] {
        (text.components(separatedBy: "\n\n").first ?? "").components(separatedBy: "\n")
    }

    @Test func namesAreQuotedAndNeverSplitIntoHeaders() throws {
        for name in ["Evil\nBcc: victim@example.com", "Evil\r\nBcc: victim@example.com", "Smith, John", "A \"quoted\" \\ name", "x <y@z.org>"] {
            let text = try message(toName: name).rendered
            let lines = headers(text)
            #expect(!lines.contains { $0.hasPrefix("Bcc:") }, "\(name)")
            let to = try #require(lines.first { $0.hasPrefix("To: ") })
            #expect(to.hasPrefix("To: \"") && to.hasSuffix("\" <jane@example.org>"), "\(to)")
        }
        #expect(headers(try message(toName: "Smith, John").rendered).contains("To: \"Smith, John\" <jane@example.org>"))
        #expect(headers(try message(toName: "A \"q\" \\").rendered).contains(#"To: "A \"q\" \\" <jane@example.org>"#))
    }

    @Test func nonASCIIIsEncodedAsRFC2047Words() throws {
        let text = try message(toName: "Siân O'Neil \u{202E}gnp", subject: "Fee of £25").rendered
        let lines = headers(text)
        #expect(lines.allSatisfy { $0.utf8.allSatisfy { $0 < 0x80 } })
        #expect(lines.contains { $0.hasPrefix("To: =?utf-8?b?") && $0.hasSuffix("?= <jane@example.org>") })
        #expect(lines.contains { $0.hasPrefix("Subject: =?utf-8?b?") })
        let encoded = try #require(lines.first { $0.hasPrefix("To: ") }).dropFirst(4).components(separatedBy: " <").first ?? ""
        let base64 = encoded.replacingOccurrences(of: "=?utf-8?b?", with: "").replacingOccurrences(of: "?=", with: "")
        #expect(String(decoding: Data(base64Encoded: base64) ?? Data(), as: UTF8.self) == "Siân O'Neil gnp")
    }

    @Test func longNamesFoldIntoWordsOfAtMost75Characters() throws {
        let text = try message(toName: String(repeating: "é", count: 200)).rendered
        for line in headers(text) { #expect(line.utf8.count <= 78, "\(line)") }
        #expect(headers(text).filter { $0.hasPrefix(" =?utf-8?b?") }.count >= 8)
    }

    @Test func everyMessageDeclaresMIMEAndUTF8() throws {
        let lines = headers(try message(toName: nil).rendered)
        #expect(lines.contains("MIME-Version: 1.0") && lines.contains("Content-Type: text/plain; charset=utf-8"))
        #expect(lines.contains("Content-Transfer-Encoding: 8bit") && lines.contains("To: jane@example.org"))
    }

    @Test func overlongLinesAreQuotedPrintable() throws {
        let body = String(repeating: "£ x=y ", count: 300)
        let text = try message(toName: "Jane", body: body).rendered
        #expect(headers(text).contains("Content-Transfer-Encoding: quoted-printable"))
        let bodyText = text.components(separatedBy: "\n\n").dropFirst().joined(separator: "\n\n")
        #expect(bodyText.split(separator: "\n").allSatisfy { $0.utf8.count <= 76 && $0.utf8.allSatisfy { $0 < 0x80 } })
        #expect(bodyText.hasPrefix("=C2=A3 x=3Dy"))
    }
}
