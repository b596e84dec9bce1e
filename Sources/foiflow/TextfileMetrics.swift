import ArgumentParser
import Foundation
import Prometheus

/// `--metrics-file PATH` of the nightly jobs: a Prometheus textfile for node_exporter's
/// textfile collector, written through a Prometheus registry and replaced atomically (a
/// temporary file beside it, then a rename), so the collector never reads half a file.
struct TextfileMetricsOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Also write the run's figures as a Prometheus textfile (for node_exporter's textfile collector).", valueName: "path"))
    var metricsFile: String?

    /// Writes `gauges` (name, labels, value) with the run's timestamp and duration under `job`.
    func write(job: String, started: Date, gauges: [(name: String, labels: [(String, String)], value: Double)]) throws {
        guard let metricsFile else { return }
        let registry = PrometheusCollectorRegistry()
        func gauge(_ name: String, unit: String = "", help: String) -> MetricNameDescriptor {
            MetricNameDescriptor(namespace: "foiflow", subsystem: job, metricName: name, unitName: unit, helpText: help)
        }
        registry.makeGauge(descriptor: gauge("last_run_timestamp", unit: "seconds", help: "When the last \(job) run finished (Unix time)."))
            .set(Date().timeIntervalSince1970)
        registry.makeGauge(descriptor: gauge("duration", unit: "seconds", help: "How long the last \(job) run took."))
            .set(Date().timeIntervalSince(started))
        for value in gauges {
            registry.makeGauge(descriptor: gauge(value.name, help: "The last \(job) run's \(value.name)."), labels: value.labels).set(value.value)
        }
        let url = URL(fileURLWithPath: metricsFile)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
        do {
            try Data(registry.emitToBuffer()).write(to: temporary)
            guard rename(temporary.path, url.path) == 0 else { throw CLIError(String(cString: strerror(errno))) }
        } catch let error as CLIError {
            try? FileManager.default.removeItem(at: temporary)
            throw CLIError("cannot write --metrics-file \(metricsFile): \(error.message)")
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw CLIError("cannot write --metrics-file \(metricsFile): \(error.localizedDescription)")
        }
    }
}
