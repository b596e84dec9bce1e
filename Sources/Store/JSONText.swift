import Dates
import Deadlines
import Foundation
import Workflow

/// JSON as foiflow stores it (an event's fields, the statutory clock, the import's staging
/// rows): Foundation's encoders behind this one seam. A hand-written encoder stood here for the
/// hot paths; an A/B in one run (`scripts/bench ab`, 2026-12-07: CREATE and ACT at 1 and 16
/// connections) showed it earned no workload 10%, so the ecosystem's is used.
enum JSONText {
    /// Fields as a JSON array of `[key, value]` pairs, in order.
    static func fields(_ fields: [Field]) throws -> String {
        String(
            decoding: try JSONSerialization.data(withJSONObject: fields.map { [$0.key, $0.value] }, options: [.withoutEscapingSlashes]),
            as: UTF8.self)
    }

    /// A statutory clock in its `Codable` form with sorted keys (absent optionals left out),
    /// which `JSONDecoder` reads back; every CREATE and ACT stores one.
    static func clock(_ clock: StatutoryClock) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(clock), as: UTF8.self)
    }
}
