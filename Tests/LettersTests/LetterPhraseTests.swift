import Dates
import Deadlines
import Foundation
import Testing
import Workflow

@testable import Letters

/// Issue 25: the wording letters use lives in templates, every case of it, and an authority's
/// folder rewords it without code.
@Suite struct LetterPhraseTests {
    @Test func everyKindOutcomeAndStateHasItsPhrase() throws {
        let writer = LetterWriter(book: Result { () throws(LetterError) in try LetterBook() }, unit: UnitContact(name: "Unit"))
        for kind in RequestKind.allCases { #expect(writer.phrases["kind_\(kind.rawValue)"] != nil, "\(kind)") }
        for outcome in Outcome.allCases {
            #expect(writer.phrases[Phrase.flag("outcome", outcome.rawValue)] != nil, "\(outcome)")
        }
        for state in RequestState.allCases { #expect(writer.phrases["state_\(state.rawValue)"] != nil, "\(state)") }
        #expect(writer.phrases["outcome_not_held"] == "we do not hold the information you asked for")
    }

    @Test func anAuthorityFolderRewordsAPhrase() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("phrases-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try "{{#kind_foi}}\nwe will look for it\n{{/kind_foi}}\n".write(
            to: folder.appendingPathComponent("phrase-what-next.mustache"), atomically: true, encoding: .utf8)
        let writer = LetterWriter.standard(environment: ["FOIFLOW_TEMPLATES": folder.path])
        #expect(writer.phrases["kind_foi"] == "we will look for it" && writer.phrases["kind_sar"] == nil)
        let record = RequestRecord(
            kind: .foi, state: .received, version: 1, received: CivilDate(year: 2026, month: 11, clampingDay: 20), calendar: .uk,
            clock: StatutoryClock(received: CivilDate(year: 2026, month: 11, clampingDay: 20)), due: nil, maxDue: nil)
        let letter = writer.acknowledgement(kind: .foi, record: record, details: RequestDetails(requester: "R", email: "r@example.org"))
        #expect(letter.body.contains("What happens next: we will look for it"), "\(letter.body)")
    }
}
