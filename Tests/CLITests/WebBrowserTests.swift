import Foundation
import TestSupport
import Testing

/// Issue 29, the public pages in a real browser: `Tests/Web/browser_test.py` drives headless
/// Chromium through Selenium (scripts/test installs them) with JavaScript turned off, checks
/// every page with axe-core for WCAG 2.2 A and AA, keeps a screenshot of each page in
/// `.build/test-output/web/`, and tries hostile input. It runs the real binary over a real
/// database and says what failed.
@Suite(.requiresDatabase) struct WebBrowserTests {
    @Test func thePublicPagesInABrowser() async throws {
        let url = try await TestDatabase.create("webbrowser")
        #expect(try await Foiflow.run(["migrate"], environment: ["DATABASE_URL": url]).status == 0)
        let root = TestDatabase.packageRoot
        let shots = root.appendingPathComponent(".build/test-output/web").path
        let run = try await Program.run(
            "python3",
            [
                root.appendingPathComponent("Tests/Web/browser_test.py").path, "--bin", Foiflow.binary.path, "--db", url, "--shots", shots,
            ], timeout: .seconds(600))
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        let summary = run.stdout.split(separator: "\n").last.map(String.init) ?? ""
        let result = try #require(try JSONSerialization.jsonObject(with: Data(summary.utf8)) as? [String: Any], "\(run.stdout) \(run.stderr)")
        let pages = try #require(result["pages"] as? [String])
        #expect(pages.count >= 14, "\(pages)")
        for page in pages { #expect(FileManager.default.fileExists(atPath: "\(shots)/\(page).png"), "a screenshot of \(page)") }
    }
}
