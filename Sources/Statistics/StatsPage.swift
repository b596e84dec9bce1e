import Deadlines

/// The statistics as one self-contained HTML page to publish as it is: the return, the
/// monthly in-time percentage as an inline SVG chart with the ICO's 90% line, the backlog,
/// reviews and ICO cases. No script, no external asset, and no personal data: it is built
/// from counts and ground codes only (a `StatsReport` holds nothing else).
public enum StatsPage {
    /// The ICO's expectation for the share answered in time.
    public static let expectation = 90

    /// The page; `title` names the authority or unit (e.g. "Disclosure Unit").
    public static func html(_ report: StatsReport, title: String = "Information requests") -> String {
        let f = report.figures
        let kinds = report.kinds.map { $0.rawValue.uppercased() }.joined(separator: " and ")
        var out = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escape(title)): \(escape(kinds)) requests received \(report.from) to \(report.to)</title>
            <style>
            body { font-family: system-ui, -apple-system, "Segoe UI", Arial, sans-serif; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; color: #1b1b1b; }
            h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
            h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 2px solid #1d70b8; padding-bottom: 0.2rem; }
            p.lede { color: #505a5f; margin-top: 0; }
            .headline { display: flex; gap: 1rem; flex-wrap: wrap; margin: 1rem 0; }
            .figure { border-left: 6px solid #1d70b8; padding: 0.4rem 0.8rem; background: #f3f2f1; min-width: 14rem; }
            .figure.below { border-color: #d4351c; }
            .figure .value { font-size: 2rem; font-weight: bold; display: block; }
            table { border-collapse: collapse; margin: 0.5rem 0; }
            th, td { text-align: left; padding: 0.3rem 0.8rem 0.3rem 0; border-bottom: 1px solid #b1b4b6; }
            td.n, th.n { text-align: right; }
            svg text { font-family: inherit; font-size: 11px; fill: #1b1b1b; }
            footer { margin-top: 2rem; color: #505a5f; font-size: 0.9rem; }
            </style>
            </head>
            <body>
            <h1>\(escape(title)): how we answer \(escape(kinds)) requests</h1>
            <p class="lede">Requests received from \(report.from) to \(report.to), as they stood on \(report.asOf).</p>
            <div class="headline">

            """
        out += headline(
            "answered in time", f.inTimePercent, detail: "\(f.inTime) of \(f.processed) answered (Cabinet Office measure)")
        out += headline(
            "of requests due answered in time", f.dueCohortPercent,
            detail: "open requests past their due date count as late; \(f.openNotDue) not yet due left out")
        out += "</div>\n<p>The Information Commissioner expects at least \(expectation)% of requests to be answered in time.</p>\n"

        out += "<h2>The return</h2>\n"
        out += table(
            ["", "Requests"],
            [
                ["Received", "\(f.received)"], ["Still open", "\(f.open)"], ["of which past their due date", "\(f.openOverdue)"],
                ["Processed", "\(f.processed)"], ["within 20 working days (the statutory deadline)", "\(f.withinDeadline)"],
                ["within a lawfully taken extension", "\(f.withinExtension)"], ["late", "\(f.late)"],
                ["Answered by advice and assistance (clarification asked)", "\(f.adviceAndAssistance)"],
                ["Withdrawn", "\(f.withdrawn)"], ["Lapsed", "\(f.lapsed)"], ["Transferred", "\(f.transferred)"],
            ])
        out += "<h2>Outcomes</h2>\n"
        out += table(
            ["Outcome", "Requests"],
            [
                ["Granted in full", "\(f.granted)"], ["Granted in part", "\(f.partial)"], ["Refused", "\(f.refused)"],
                ["Information not held", "\(f.notHeld)"], ["Neither confirmed nor denied", "\(f.ncnd)"],
            ])
        out += "<h2>Exemptions and exceptions used</h2>\n"
        if f.exemptions.isEmpty {
            out += "<p>None.</p>\n"
        } else {
            out += table(["Ground", "Requests"], f.exemptions.map { [$0.code, "\($0.count)"] })
        }
        out += "<p>Requests refused under section 21 alone (information already accessible): \(f.s21Only).</p>\n"

        out += "<h2>Month by month</h2>\n"
        out += chart(report.months)
        out += table(
            ["Month received", "Received", "Processed", "In time", "Late", "Open past due", "In time %"],
            report.months.map { m in
                [m.month, "\(m.received)", "\(m.processed)", "\(m.inTime)", "\(m.late)", "\(m.openOverdue)", m.inTimePercent ?? "–"]
            })

        out += "<h2>Backlog on \(report.asOf)</h2>\n"
        out += table(
            ["Kind", "Open"] + BacklogFigures.bandTitles.map { "Past due " + $0 },
            report.backlog.filter { $0.open > 0 }.map { b in [b.kind.rawValue.uppercased(), "\(b.open)"] + b.bands.map(String.init) })

        out += "<h2>Internal reviews</h2>\n"
        let r = report.reviews
        out += table(
            ["", "Reviews"],
            [
                ["Received", "\(r.received)"], ["Completed", "\(r.processed)"], ["within 20 working days", "\(r.within20)"],
                ["within 40 working days", "\(r.within40)"], ["Original decision upheld", "\(r.upheld)"],
                ["Upheld in part", "\(r.upheldInPart)"], ["Overturned", "\(r.overturned)"],
            ])
        out += "<h2>Complaints to the Information Commissioner</h2>\n"
        let i = report.ico
        out += table(
            ["", "Cases"],
            [
                ["Received", "\(i.received)"], ["Decision notices", "\(i.decisionNotices)"], ["complaint upheld", "\(i.upheld)"],
                ["partly upheld", "\(i.partlyUpheld)"], ["not upheld", "\(i.notUpheld)"], ["Appealed to the tribunal", "\(i.appealed)"],
                ["Steps required and taken", "\(i.stepsComplied)"], ["of which in time", "\(i.stepsCompliedInTime)"],
            ])
        out += """
            <footer>Published from foiflow. The figures count requests, never people: no names, subjects or
            contact details appear. "In time" means answered on or before the statutory due date, or a lawfully
            taken extension's date; a request waiting on a clarification we asked for counts as answered by advice
            and assistance.</footer>
            </body>
            </html>

            """
        return out
    }

    static func headline(_ label: String, _ value: String?, detail: String) -> String {
        let below = value.flatMap(Double.init).map { $0 < Double(expectation) } ?? false
        return """
            <div class="figure\(below ? " below" : "")"><span class="value">\(value.map { "\($0)%" } ?? "–")</span>\(escape(label))<br><small>\(escape(detail))</small></div>

            """
    }

    static func table(_ header: [String], _ rows: [[String]]) -> String {
        func cell(_ text: String, _ tag: String, index: Int) -> String {
            index == 0 ? "<\(tag)>\(escape(text))</\(tag)>" : "<\(tag) class=\"n\">\(escape(text))</\(tag)>"
        }
        var out = "<table>\n<thead><tr>" + header.enumerated().map { cell($1, "th", index: $0) }.joined() + "</tr></thead>\n<tbody>\n"
        for row in rows {
            out += "<tr>" + row.enumerated().map { cell($1, "td", index: $0) }.joined() + "</tr>\n"
        }
        return out + "</tbody>\n</table>\n"
    }

    /// Bars of the in-time percentage per month of receipt, with the 90% line.
    static func chart(_ months: [MonthFigures]) -> String {
        let width = 720, height = 280, left = 40, right = 10, top = 40, bottom = 40
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        func y(_ percent: Double) -> Int { top + plotHeight - Int((percent / 100 * Double(plotHeight)).rounded()) }
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" viewBox="0 0 \(width) \(height)" role="img" aria-labelledby="chart-title">
            <title id="chart-title">Share of requests answered in time, by month received, against the ICO's \(expectation)% expectation</title>

            """
        for tick in stride(from: 0, through: 100, by: 25) {
            svg += "<line x1=\"\(left)\" y1=\"\(y(Double(tick)))\" x2=\"\(width - right)\" y2=\"\(y(Double(tick)))\" stroke=\"#dddddd\"/>"
            svg += "<text x=\"\(left - 6)\" y=\"\(y(Double(tick)) + 4)\" text-anchor=\"end\">\(tick)%</text>\n"
        }
        let slot = months.isEmpty ? plotWidth : plotWidth / months.count
        let bar = max(4, slot * 2 / 3)
        for (index, month) in months.enumerated() {
            let x = left + index * slot + (slot - bar) / 2
            if let text = month.inTimePercent, let value = Double(text) {
                let colour = value < Double(expectation) ? "#d4351c" : "#1d70b8"
                svg += "<rect x=\"\(x)\" y=\"\(y(value))\" width=\"\(bar)\" height=\"\(top + plotHeight - y(value))\" fill=\"\(colour)\">"
                svg += "<title>\(escape(month.month)): \(text)%</title></rect>"
                svg += "<text x=\"\(x + bar / 2)\" y=\"\(y(value) - 4)\" text-anchor=\"middle\">\(text)</text>\n"
            }
            svg += "<text x=\"\(x + bar / 2)\" y=\"\(height - bottom + 16)\" text-anchor=\"middle\">\(escape(month.month))</text>\n"
        }
        let line = y(Double(expectation))
        svg += """
            <line x1="\(left)" y1="\(line)" x2="\(width - right)" y2="\(line)" stroke="#1b1b1b" stroke-width="2" stroke-dasharray="6 4"/>
            <line x1="\(left)" y1="\(top - 10)" x2="\(left + 24)" y2="\(top - 10)" stroke="#1b1b1b" stroke-width="2" stroke-dasharray="6 4"/>
            <text x="\(left + 30)" y="\(top - 6)">ICO expectation \(expectation)%</text>
            </svg>

            """
        return svg
    }

    /// Text made safe for HTML element content and attribute values.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}
