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

    /// Renders with `values`; a required value that is missing or blank is listed in `missing`,
    /// and the text names it where it would stand (`[missing: the lead officer's name]`), so a
    /// letter held as a task never reads as a broken sentence.
    public func render(_ values: [String: String]) -> RenderedLetter {
        var present = values.filter { !LetterTemplate.isBlank($0.value) }
        let missing = required.filter { present[$0] == nil }
        for key in missing { present[key] = LetterTemplate.placeholder(key) }
        return RenderedLetter(
            type: type, subject: LetterTemplate.oneLine(subject.render(present)),
            body: LetterTemplate.trimmingNewlines(body.render(present)) + "\n",
            missing: missing)
    }

    /// What stands in a letter for a value it needs and does not have.
    public static func placeholder(_ key: String) -> String {
        "[missing: \(describe(key))]"
    }

    /// A value a template needs, in words (for the placeholder and the task's note).
    public static func describe(_ key: String) -> String {
        switch key {
        case "lead_name": "the lead officer's name (foiflow unit set --name, or assign the request)"
        case "lead_contact": "how to reach the lead officer (foiflow unit set --email or --phone, or assign the request)"
        case "unit_name": "the unit's name (foiflow unit set --name)"
        case "requester": "the requester's name"
        default: key.replacingOccurrences(of: "_", with: " ")
        }
    }

    /// Renders many letters at once (a nightly batch): `render` for each.
    public func render(many rows: [[String: String]]) -> [RenderedLetter] {
        rows.map(render)
    }

    /// Empty or only spaces, tabs and line breaks (checked on UTF-8: cheap per letter).
    static func isBlank(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
    }

    /// `text` on one line: control characters (CR and LF among them) become spaces; spaces at
    /// either end are dropped.
    static func oneLine(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            let value = scalar.value
            let control = value < 0x20 || value == 0x7F || (0x80..<0xA0).contains(value) || value == 0x2028 || value == 0x2029
            scalars.append(control ? " " : scalar)
        }
        var line = Substring(String(scalars))
        while line.first == " " { line = line.dropFirst() }
        while line.last == " " { line = line.dropLast() }
        return String(line)
    }

    /// `text` without line breaks at either end.
    static func trimmingNewlines(_ text: String) -> String {
        // Most letters neither start nor end with a line break: a look at the two end bytes
        // (any byte a line break can start or end with sends the text the long way).
        if let first = text.utf8.first, let last = text.utf8.last, !(0x0A...0x0D).contains(first), first != 0xC2, first != 0xE2,
            !(0x0A...0x0D).contains(last), last != 0x85, last != 0xA8, last != 0xA9
        {
            return text
        }
        var trimmed = Substring(text)
        while let first = trimmed.first, first.isNewline { trimmed = trimmed.dropFirst() }
        while let last = trimmed.last, last.isNewline { trimmed = trimmed.dropLast() }
        return String(trimmed)
    }
}

/// Every letter type's template: the ones shipped with foiflow, or the authority's own from a
/// folder (`--templates DIR`, `FOIFLOW_TEMPLATES`), file for file, without rebuilding.
public struct LetterBook: Sendable {
    public let templates: [LetterType: LetterTemplate]
    let phrases: [Phrase: MustacheTemplate]

    /// The shipped templates, with any of `overrides` (a folder of `TYPE.mustache` files) in their place.
    public init(overrides directory: URL? = nil) throws(LetterError) {
        var templates: [LetterType: LetterTemplate] = [:]
        for type in LetterType.allCases {
            guard let text = LetterBook.text(type.rawValue, overrides: directory) else {
                throw .missingTemplate("no template for \(type.rawValue) (\(type.rawValue).mustache)")
            }
            templates[type] = try LetterTemplate(type: type, text: text)
        }
        self.templates = templates
        var phrases: [Phrase: MustacheTemplate] = [:]
        for phrase in Phrase.allCases {
            guard let text = LetterBook.text(phrase.file, overrides: directory) else {
                throw .missingTemplate("no template for the phrase \(phrase.rawValue) (\(phrase.file).mustache)")
            }
            do {
                phrases[phrase] = try MustacheTemplate(string: "{{% CONTENT_TYPE: TEXT}}" + text)
            } catch {
                throw .badTemplate("\(phrase.file): \(error)")
            }
        }
        self.phrases = phrases
    }

    /// A template file's text: the authority's from `directory`, else the one shipped.
    static func text(_ name: String, overrides directory: URL?) -> String? {
        let file = "\(name).mustache"
        if let directory, let data = FileManager.default.contents(atPath: directory.appendingPathComponent(file).path) {
            return String(decoding: data, as: UTF8.self)
        }
        guard let url = Bundle.module.url(forResource: name, withExtension: "mustache", subdirectory: "Templates"),
            let data = FileManager.default.contents(atPath: url.path)
        else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// A phrase for one case of its fact (`Phrase.flag`), on one line; `nil` when the template
    /// says nothing for it.
    public func phrase(_ phrase: Phrase, flag: String) -> String? {
        guard let template = phrases[phrase] else { return nil }
        let text = template.render([flag: true])
            .split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            .joined(separator: " ")
        return text.isEmpty ? nil : text
    }

    /// Renders many letters of `type` (see `LetterTemplate.render(many:)`).
    public func render(_ type: LetterType, many rows: [[String: String]]) -> [RenderedLetter] {
        guard let template = templates[type] else {
            return rows.map { _ in RenderedLetter(type: type, subject: type.rawValue, body: "", missing: ["template"]) }
        }
        return template.render(many: rows)
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
