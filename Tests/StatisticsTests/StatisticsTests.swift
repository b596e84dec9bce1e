import Dates
import Deadlines
import Foundation
import Statistics
import Testing

@Suite struct PercentTests {
    @Test func oneDecimalRoundedHalfUpAndNeverOfNothing() {
        #expect(percent(8, of: 10) == "80.0")
        #expect(percent(8, of: 11) == "72.7")
        #expect(percent(9, of: 12) == "75.0")
        #expect(percent(1, of: 3) == "33.3")
        #expect(percent(2, of: 3) == "66.7")
        #expect(percent(1, of: 8) == "12.5")  // exactly half a tenth: up
        #expect(percent(1, of: 16) == "6.3")
        #expect(percent(0, of: 5) == "0.0" && percent(5, of: 5) == "100.0")
        #expect(percent(0, of: 0) == nil && percent(3, of: 0) == nil)
        for total in 1...200 {
            for count in 0...total {
                let exact = Double(count) / Double(total) * 100
                let shown = Double(percent(count, of: total) ?? "") ?? -1
                #expect(abs(shown - exact) <= 0.05 + 1e-9, "\(count)/\(total)")
            }
        }
    }

    /// A quarter: 12 received, 10 processed (6 in time, 2 within an extension, 2 late), 2 open
    /// of which 1 past due.
    static func quarter() -> PeriodFigures {
        var f = PeriodFigures()
        f.received = 12
        f.processed = 10
        f.withinDeadline = 6
        f.withinExtension = 2
        f.late = 2
        f.openOverdue = 1
        f.open = 2
        return f
    }

    @Test func statsLinesInProtocolOrder() {
        let f = Self.quarter()
        #expect(f.inTimePercent == "80.0" && f.dueCohortPercent == "72.7" && f.openNotDue == 1)
        let names = f.stats.map(\.name)
        #expect(
            names == [
                "received", "open", "open_overdue", "processed", "within_deadline", "within_extension", "late", "granted", "partial",
                "refused", "not_held", "ncnd", "advice_and_assistance", "withdrawn", "lapsed", "transferred", "in_time_percent",
                "due_cohort_percent", "s21_only",
            ])
        // Nothing processed: no percentage at all, not 0%.
        #expect(!PeriodFigures().stats.map(\.name).contains("in_time_percent"))
    }
}

@Suite struct StatsPageTests {
    func report() -> StatsReport {
        var f = PercentTests.quarter()
        f.exemptions = [GroundCount(code: "s40(2)", count: 3), GroundCount(code: "s31", count: 1)]
        var january = MonthFigures(month: "2026-01")
        january.received = 11
        january.processed = 10
        january.inTime = 8
        january.late = 2
        var backlog = BacklogFigures(kind: .foi)
        backlog.open = 4
        backlog.bands = [1, 1, 0, 0, 1]
        return StatsReport(
            from: CivilDate(iso: "2026-01-01") ?? CivilDate(dayNumber: 0), to: CivilDate(iso: "2026-03-31") ?? CivilDate(dayNumber: 0),
            asOf: CivilDate(iso: "2026-03-31") ?? CivilDate(dayNumber: 0), kinds: [.foi, .eir], figures: f,
            months: [january, MonthFigures(month: "2026-02")], reviews: ReviewFigures(), ico: ICOFigures(), backlog: [backlog])
    }

    @Test func aSelfContainedPageWithTheFigures() throws {
        let page = try StatsPage.html(report(), title: "Disclosure <Unit>")
        #expect(page.hasPrefix("<!DOCTYPE html>") && page.hasSuffix("</html>\n"))
        for figure in ["80.0%", "72.7%", "s40(2)", "2026-01", "ICO expectation 90%", "<svg", "Disclosure &lt;Unit&gt;"] {
            #expect(page.contains(figure), "\(figure)")
        }
        // No script, no external asset, no link out.
        for banned in ["<script", "src=", "href=", "@import", "url(", "http://", "https://"] where banned != "http://" {
            #expect(!page.lowercased().contains(banned), "\(banned)")
        }
        // The SVG namespace is the one URL allowed: an identifier, never fetched.
        #expect(page.components(separatedBy: "http://").count - 1 == page.components(separatedBy: "xmlns=\"http://www.w3.org/2000/svg\"").count - 1)
        // A month with nothing processed has no bar (and no 0% bar).
        #expect(page.contains("<title>2026-01: 80.0%</title>") && !page.contains("2026-02: "))
        // The 90% line sits at 90% of the plot height: y = 40 + 200 - 180.
        #expect(page.contains(##"y1="60" x2="710" y2="60" stroke="#1b1b1b""##))
    }

    /// Every value goes through the template engine's escaping, attributes' quotes included.
    @Test func theTemplateEscapesEveryValue() throws {
        let page = try StatsPage.html(report(), title: #"<a href="x">'&'</a>"#)
        #expect(page.contains("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;: how we answer"))
        #expect(!page.contains(#"<a href="x">"#))
    }
}
