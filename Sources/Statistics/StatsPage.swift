import Deadlines
import Foundation
import Mustache

/// The statistics as one self-contained HTML page to publish as it is: the return, the
/// monthly in-time percentage as an inline SVG chart with the ICO's 90% line, the backlog,
/// reviews and ICO cases. No script, no external asset, and no personal data: it is built
/// from counts and ground codes only (a `StatsReport` holds nothing else).
///
/// The page is the Mustache template `Templates/stats-page.mustache`, so every value is
/// escaped by the template engine; this type only computes what the template shows.
public enum StatsPage {
    /// The ICO's expectation for the share answered in time.
    public static let expectation = 90

    /// The page; `title` names the authority or unit (e.g. "Disclosure Unit"). Throws only
    /// when the installation lacks its template.
    public static func html(_ report: StatsReport, title: String = "Information requests") throws -> String {
        try template.get().render(context(report, title: title))
    }

    /// The page's template was not found or not read.
    public struct TemplateMissing: Error, CustomStringConvertible {
        public var description: String
    }

    /// The page's template, shipped with foiflow, read once.
    static let template: Result<MustacheTemplate, TemplateMissing> = {
        guard let url = Bundle.module.url(forResource: "stats-page", withExtension: "mustache", subdirectory: "Templates"),
            let text = try? String(contentsOf: url, encoding: .utf8)
        else { return .failure(TemplateMissing(description: "the statistics page's template is missing from this installation")) }
        do {
            return .success(try MustacheTemplate(string: text))
        } catch {
            return .failure(TemplateMissing(description: "the statistics page's template does not parse: \(error)"))
        }
    }()

    /// What the template shows, as plain values: the engine escapes every one.
    static func context(_ report: StatsReport, title: String) -> [String: Any] {
        let f = report.figures
        let r = report.reviews
        let i = report.ico
        func numbers(_ rows: [(String, Int)]) -> [[String]] { rows.map { [$0.0, "\($0.1)"] } }
        let sections: [[String: Any]] = [
            section(
                "The return",
                table: table(
                    ["", "Requests"],
                    numbers([
                        ("Received", f.received), ("Still open", f.open), ("of which past their due date", f.openOverdue),
                        ("Processed", f.processed), ("within 20 working days (the statutory deadline)", f.withinDeadline),
                        ("within a lawfully taken extension", f.withinExtension), ("late", f.late),
                        ("Answered by advice and assistance (clarification asked)", f.adviceAndAssistance),
                        ("Withdrawn", f.withdrawn), ("Lapsed", f.lapsed), ("Transferred", f.transferred),
                    ]))),
            section(
                "Outcomes",
                table: table(
                    ["Outcome", "Requests"],
                    numbers([
                        ("Granted in full", f.granted), ("Granted in part", f.partial), ("Refused", f.refused),
                        ("Information not held", f.notHeld), ("Neither confirmed nor denied", f.ncnd),
                    ]))),
            section(
                "Exemptions and exceptions used",
                table: f.exemptions.isEmpty ? nil : table(["Ground", "Requests"], numbers(f.exemptions.map { ($0.code, $0.count) })),
                paragraphs: (f.exemptions.isEmpty ? ["None."] : [])
                    + ["Requests refused under section 21 alone (information already accessible): \(f.s21Only)."]),
            section(
                "Month by month",
                table: table(
                    ["Month received", "Received", "Processed", "In time", "Late", "Open past due", "In time %"],
                    report.months.map { m in
                        [m.month, "\(m.received)", "\(m.processed)", "\(m.inTime)", "\(m.late)", "\(m.openOverdue)", m.inTimePercent ?? "–"]
                    }), chart: chart(report.months)),
            section(
                "Backlog on \(report.asOf)",
                table: table(
                    ["Kind", "Open"] + BacklogFigures.bandTitles.map { "Past due " + $0 },
                    // The kinds the page is about (its title names them), in words.
                    report.backlog.filter { $0.open > 0 && report.kinds.contains($0.kind) }.map { b in
                        [b.kind.title, "\(b.open)"] + b.bands.map(String.init)
                    })),
            section(
                "Internal reviews",
                table: table(
                    ["", "Reviews"],
                    numbers([
                        ("Received", r.received), ("Completed", r.processed), ("within 20 working days", r.within20),
                        ("within 40 working days", r.within40), ("Original decision upheld", r.upheld), ("Upheld in part", r.upheldInPart),
                        ("Overturned", r.overturned),
                    ]))),
            section(
                "Complaints to the Information Commissioner",
                table: table(
                    ["", "Cases"],
                    numbers([
                        ("Received", i.received), ("Decision notices", i.decisionNotices), ("complaint upheld", i.upheld),
                        ("partly upheld", i.partlyUpheld), ("not upheld", i.notUpheld), ("Appealed to the tribunal", i.appealed),
                        ("Steps required and taken", i.stepsComplied), ("of which in time", i.stepsCompliedInTime),
                    ]))),
        ]
        return [
            "title": title, "kinds": report.kinds.map(\.title).joined(separator: " and "),
            "from": report.from.description, "to": report.to.description, "asOf": report.asOf.description, "expectation": expectation,
            "headlines": [
                headline("answered in time", f.inTimePercent, detail: "\(f.inTime) of \(f.processed) answered (Cabinet Office measure)"),
                headline(
                    "of requests due answered in time", f.dueCohortPercent,
                    detail: "open requests past their due date count as late; \(f.openNotDue) not yet due left out"),
            ],
            "sections": sections,
        ]
    }

    static func section(_ heading: String, table: [String: Any]?, paragraphs: [String] = [], chart: [String: Any]? = nil) -> [String: Any] {
        var section: [String: Any] = ["heading": heading, "tables": table.map { [$0] } ?? [], "paragraphs": paragraphs]
        if let chart { section["chart"] = chart }
        return section
    }

    static func headline(_ label: String, _ value: String?, detail: String) -> [String: Any] {
        let below = value.flatMap(Double.init).map { $0 < Double(expectation) } ?? false
        return ["label": label, "value": value.map { "\($0)%" } ?? "–", "detail": detail, "below": below]
    }

    /// A table: the first column is text, the others numbers (right-aligned).
    static func table(_ header: [String], _ rows: [[String]]) -> [String: Any] {
        func cells(_ texts: [String]) -> [[String: Any]] { texts.enumerated().map { ["text": $1, "numeric": $0 > 0] } }
        return ["header": cells(header), "rows": rows.map { ["cells": cells($0)] }]
    }

    /// Bars of the in-time percentage per month of receipt, with the 90% line.
    static func chart(_ months: [MonthFigures]) -> [String: Any] {
        let width = 720, height = 280, left = 40, right = 10, top = 40, bottom = 40
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        func y(_ percent: Double) -> Int { top + plotHeight - Int((percent / 100 * Double(plotHeight)).rounded()) }
        let slot = months.isEmpty ? plotWidth : plotWidth / months.count
        let bar = max(4, slot * 2 / 3)
        var bars: [[String: Any]] = [], labels: [[String: Any]] = []
        for (index, month) in months.enumerated() {
            let x = left + index * slot + (slot - bar) / 2
            if let text = month.inTimePercent, let value = Double(text) {
                bars.append([
                    "x": x, "y": y(value), "width": bar, "height": top + plotHeight - y(value),
                    "colour": value < Double(expectation) ? "#d4351c" : "#1d70b8", "month": month.month, "value": text,
                    "middle": x + bar / 2, "valueY": y(value) - 4,
                ])
            }
            labels.append(["middle": x + bar / 2, "y": height - bottom + 16, "month": month.month])
        }
        return [
            "width": width, "height": height, "left": left, "right": width - right,
            "ticks": stride(from: 0, through: 100, by: 25).map { tick in
                ["y": y(Double(tick)), "labelX": left - 6, "labelY": y(Double(tick)) + 4, "percent": tick]
            },
            "bars": bars, "months": labels,
            "expectationLine": [
                "y": y(Double(expectation)), "keyY": top - 10, "keyEnd": left + 24, "keyTextX": left + 30, "keyTextY": top - 6,
            ],
        ]
    }
}
