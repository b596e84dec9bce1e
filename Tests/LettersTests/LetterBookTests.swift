import Foundation
import Testing

@testable import Letters

/// The shipped letter templates, their declared values, and what a requester's data can do.
@Suite struct LetterBookTests {
    let values: [String: String] = [
        "ref": "FOI-2026-000124", "requester": "Jane O'Neil", "received": "2026-11-20", "due": "2026-12-21",
        "what_next": "we will search our records", "lead_name": "Alex Smith", "lead_contact": "a.smith@example.org, 01234 567890",
        "amount": "45.00", "reason": "we must weigh the public interest", "outcome_text": "we have refused it",
        "exemptions": "s31 (law enforcement), s40(2) (personal data)", "reasons": "disclosure would prejudice investigations",
        "transferred_to": "Another Force", "state_text": "we are searching our records", "unit_name": "Disclosure Unit",
    ]

    @Test func everyTypeHasATemplateThatRendersWithItsValues() throws {
        let book = try LetterBook()
        for type in LetterType.allCases {
            let letter = book.render(type, values)
            #expect(letter.missing.isEmpty, "\(type): \(letter.missing)")
            #expect(letter.subject.contains("FOI-2026-000124"), "\(type)")
            #expect(letter.body.contains("Jane O'Neil") && letter.body.contains("Alex Smith"), "\(type)")
            #expect(!letter.body.contains("{{"), "\(type)")
            #expect(!letter.body.contains("&#39;"), "\(type): plain text, not HTML")
        }
        let ack = book.render(.acknowledgement, values)
        #expect(ack.body.contains("reference FOI-2026-000124") && ack.body.contains("by 2026-12-21") && ack.body.contains("Disclosure Unit"))
    }

    @Test func aRefusalCarriesWhatSection17Requires() throws {
        let refusal = try LetterBook().render(.refusal, values.merging(["public_interest": "outweighed"]) { $1 })
        for part in [
            "s31 (law enforcement)", "disclosure would prejudice", "The public interest: outweighed", "internal review", "Information Commissioner",
            "s.50",
        ] {
            #expect(refusal.body.contains(part), "\(part)")
        }
    }

    @Test func aMissingValueIsListedNotSent() throws {
        var partial = values
        partial["lead_contact"] = nil
        partial["due"] = "  "
        let letter = try LetterBook().render(.acknowledgement, partial)
        #expect(letter.missing == ["due", "lead_contact"])
    }

    @Test func aNameWithLineBreaksCannotAddAHeader() throws {
        var hostile = values
        hostile["ref"] = "FOI-1\r\nBcc: victim@example.org"
        let letter = try LetterBook().render(.acknowledgement, hostile)
        #expect(!letter.subject.contains("\r") && !letter.subject.contains("\n"))
        #expect(letter.subject.contains("Bcc: victim@example.org"))  // harmless text on one line
    }

    @Test func anAuthorityFolderReplacesATemplateWithoutRebuilding() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("letters-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "{{! requires: ref, sergeant }}\nSubject: Ref {{ref}}\n---\nOur own words, {{sergeant}}.\n"
            .write(to: dir.appendingPathComponent("lapse.mustache"), atomically: true, encoding: .utf8)
        let book = try LetterBook(overrides: dir)
        let lapse = book.render(.lapse, values)
        #expect(lapse.subject == "Ref FOI-2026-000124" && lapse.missing == ["sergeant"])
        #expect(book.render(.response, values).body.contains("internal review"))  // others stay as shipped
        try "no header\n".write(to: dir.appendingPathComponent("transfer.mustache"), atomically: true, encoding: .utf8)
        #expect(throws: LetterError.self) { try LetterBook(overrides: dir) }
    }

    /// The nightly batch renders each template once per pattern of values; the letters must be

    /// Line breaks of every kind at either end are trimmed, and nothing else is.
    @Test func trimmingNewlinesMatchesCharacterByCharacterTrimming() {
        func reference(_ text: String) -> String {
            var trimmed = Substring(text)
            while let first = trimmed.first, first.isNewline { trimmed = trimmed.dropFirst() }
            while let last = trimmed.last, last.isNewline { trimmed = trimmed.dropLast() }
            return String(trimmed)
        }
        let cases = [
            "", "abc", "\n\nabc\n", "\r\nDear J\r\n", "\u{2028}x\u{2029}", "\u{85}x\u{85}", "é", "x\u{0B}", "\u{0C}x", "\n",
            "Zoë ☃", "a\nb", "\u{E2}", "\u{2026}", "x\u{A9}",
        ]
        for text in cases {
            #expect(LetterTemplate.trimmingNewlines(text) == reference(text), "\(text.debugDescription)")
        }
    }

    /// A nightly batch renders exactly the letters rendered one by one, whatever the values hold.
    @Test func batchRenderingEqualsRenderingOneByOne() throws {
        let book = try LetterBook()
        var rows: [[String: String]] = []
        for i in 0..<60 {
            var row = values
            row["ref"] = "FOI-2026-\(100_000 + i)"
            row["requester"] = ["Ann", "{{ref}} & <b>", "Line\nbreak\r\nBcc: x", " ", "Zoë ☃"][i % 5]
            if i % 3 == 0 { row["note"] = "note \(i)" }
            if i % 7 == 0 { row["lead_contact"] = nil }
            if i % 11 == 0 { row["unit_name"] = "" }
            rows.append(row)
        }
        for type in LetterType.allCases {
            let single = rows.map { book.render(type, $0) }
            #expect(book.render(type, many: rows) == single, "\(type)")
        }
        // A value is text, never read as Mustache.
        let tricky = book.render(.acknowledgement, rows[1])
        #expect(tricky.body.contains("{{ref}} & <b>"), "\(tricky.body)")
    }
}
