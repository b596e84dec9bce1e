import Foundation
import Mustache

/// A letter as rendered: what it says, and what it could not say.
public struct RenderedLetter: Sendable, Equatable {
    public var type: LetterType
    /// One line: control characters (CR and LF among them) become spaces, so a value such as
    /// a requester's name can never add an e-mail header.
    public var subject: String
    public var body: String
    /// Values the template needs that were missing or blank: the letter cannot be sent as it
    /// is, and becomes a task saying so.
    public var missing: [String]

    public init(type: LetterType, subject: String, body: String, missing: [String]) {
        self.type = type
        self.subject = subject
        self.body = body
        self.missing = missing
    }
}

/// A template of one letter type: the values it needs, its subject line and its body.
///
/// The file format: a first line `{{! requires: a, b, c }}` declaring the values the letter
/// cannot go without, a line `Subject: ...`, a line `---`, then the body. Subject and body are
/// Mustache, rendered as plain text (no HTML escaping).
public struct LetterTemplate: Sendable {
    public var type: LetterType
    public var required: [String]
    let subject: MustacheTemplate
    let body: MustacheTemplate

    /// Parses a template file's text.
    public init(type: LetterType, text: String) throws(LetterError) {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let first = lines.first, first.hasPrefix("{{! requires:"), first.hasSuffix("}}") else {
            throw .badTemplate("\(type.rawValue): the first line must be {{! requires: value, value }}")
        }
        required = first.dropFirst("{{! requires:".count).dropLast(2).split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        lines.removeFirst()
        guard let subjectLine = lines.first, subjectLine.hasPrefix("Subject:") else {
            throw .badTemplate("\(type.rawValue): the second line must be Subject: ...")
        }
        lines.removeFirst()
        guard lines.first == "---" else { throw .badTemplate("\(type.rawValue): the third line must be ---") }
        lines.removeFirst()
        do {
            subject = try MustacheTemplate(
                string: "{{% CONTENT_TYPE: TEXT}}" + subjectLine.dropFirst("Subject:".count).trimmingCharacters(in: .whitespaces))
            body = try MustacheTemplate(string: "{{% CONTENT_TYPE: TEXT}}" + lines.joined(separator: "\n"))
        } catch {
            throw .badTemplate("\(type.rawValue): \(error)")
        }
        self.type = type
    }

    /// Renders with `values`; a required value that is missing or blank is listed in `missing`.
    public func render(_ values: [String: String]) -> RenderedLetter {
        let present = values.filter { !$0.value.allSatisfy(\.isWhitespace) }
        let missing = required.filter { present[$0] == nil }
        let subjectText = subject.render(present).map {
            $0.isNewline || ($0.unicodeScalars.first.map { $0.value < 0x20 || $0.value == 0x7F } ?? false) ? " " : $0
        }
        return RenderedLetter(
            type: type, subject: String(subjectText).trimmingCharacters(in: .whitespaces),
            body: body.render(present).trimmingCharacters(in: .newlines) + "\n", missing: missing)
    }
}

/// Every letter type's template: the ones shipped with foiflow, or the authority's own from a
/// folder (`--templates DIR`, `FOIFLOW_TEMPLATES`), file for file, without rebuilding.
public struct LetterBook: Sendable {
    public let templates: [LetterType: LetterTemplate]

    /// The shipped templates, with any of `overrides` (a folder of `TYPE.mustache` files) in their place.
    public init(overrides directory: URL? = nil) throws(LetterError) {
        var templates: [LetterType: LetterTemplate] = [:]
        for type in LetterType.allCases {
            let file = "\(type.rawValue).mustache"
            var text: String?
            if let directory, let data = FileManager.default.contents(atPath: directory.appendingPathComponent(file).path) {
                text = String(decoding: data, as: UTF8.self)
            } else if let url = Bundle.module.url(forResource: type.rawValue, withExtension: "mustache", subdirectory: "Templates"),
                let data = FileManager.default.contents(atPath: url.path)
            {
                text = String(decoding: data, as: UTF8.self)
            }
            guard let text else { throw .missingTemplate("no template for \(type.rawValue) (\(file))") }
            templates[type] = try LetterTemplate(type: type, text: text)
        }
        self.templates = templates
    }

    /// Renders a letter of `type`.
    public func render(_ type: LetterType, _ values: [String: String]) -> RenderedLetter {
        guard let template = templates[type] else {
            return RenderedLetter(type: type, subject: type.rawValue, body: "", missing: ["template"])
        }
        return template.render(values)
    }
}

/// A template that cannot be used.
public enum LetterError: Error, Sendable, Equatable, CustomStringConvertible {
    case badTemplate(String)
    case missingTemplate(String)

    public var description: String {
        switch self {
        case .badTemplate(let text), .missingTemplate(let text): text
        }
    }
}
