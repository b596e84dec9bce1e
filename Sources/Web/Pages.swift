import Foundation
import Mustache

/// The public pages' templates: those shipped with foiflow, each replaceable by the authority's
/// own `web-NAME.mustache` in the letters' override folder (`FOIFLOW_TEMPLATES`), without
/// rebuilding. Every value is HTML-escaped by the template engine.
public struct PageBook: Sendable {
    let library: MustacheLibrary
    /// The stylesheet, served at `/style.css`.
    public let stylesheet: String

    static let names = [
        "header", "footer", "home", "request-form", "request-done", "status-form", "status", "log", "log-entry", "error",
        "statistics-index", "feed",
    ]

    /// The shipped pages, with any of the authority's from `overrides` in their place.
    public init(overrides directory: URL? = nil) throws {
        var library = MustacheLibrary()
        for name in Self.names {
            guard let text = Self.text(name, extension: "mustache", overrides: directory) else {
                throw PageError("no template for the page \(name) (web-\(name).mustache)")
            }
            do {
                try library.register(text, named: name)
            } catch {
                throw PageError("the page template web-\(name).mustache does not parse: \(error)")
            }
        }
        self.library = library
        guard let css = Self.text("style", extension: "css", overrides: directory) else { throw PageError("no stylesheet (web-style.css)") }
        stylesheet = css
    }

    static func text(_ name: String, extension ext: String, overrides directory: URL?) -> String? {
        if let directory, let data = FileManager.default.contents(atPath: directory.appendingPathComponent("web-\(name).\(ext)").path) {
            return String(decoding: data, as: UTF8.self)
        }
        guard let url = Bundle.module.url(forResource: name, withExtension: ext, subdirectory: "Templates"),
            let data = FileManager.default.contents(atPath: url.path)
        else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// The page `name` with `values`.
    func render(_ name: String, _ values: [String: Any]) -> String {
        library.render(values, withTemplate: name) ?? ""
    }
}

/// A page template that cannot be used.
public struct PageError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
