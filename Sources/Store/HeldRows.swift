import Deadlines
import Foundation
import NIOConcurrencyHelpers
import Workflow

/// A request as this process last read or wrote it, at a known version: what an action is
/// decided on (`RequestStore.act`) without reading the request again.
///
/// A held row is never trusted on its own. The write it leads to is guarded by the version it
/// holds, and by the sign-off policy and lead officer the action was decided with, so a request
/// changed since (by another server, the nightly job or an admin) makes the write miss, and the
/// action is then read and decided again; nothing is written from a stale row.
struct HeldRow: Sendable {
    let id: Int
    /// The workflow record; its clock is the placeholder while `clockJSON` is set.
    private let base: RequestRecord
    /// The clock as the database holds it, decoded only when an action needs it (a `SHOW`
    /// fills the row, and most rows read are never acted on).
    private let clockJSON: String?
    let details: RequestDetails
    let lead: LeadContact
    /// The sign-off policy's stored text (`policy.require-approval`), as read with the row.
    let policy: String?

    var version: Int { base.version }
    var assignee: String? { base.assignee }

    init(id: Int, record: RequestRecord, details: RequestDetails, lead: LeadContact, policy: String?) {
        self.id = id
        self.base = record
        self.clockJSON = nil
        self.details = details
        self.lead = lead
        self.policy = policy
    }

    /// A row whose clock is still the database's JSON text.
    init(id: Int, recordWithoutClock: RequestRecord, clockJSON: String, details: RequestDetails, lead: LeadContact, policy: String?) {
        self.id = id
        self.base = recordWithoutClock
        self.clockJSON = clockJSON
        self.details = details
        self.lead = lead
        self.policy = policy
    }

    /// The workflow record with its clock.
    func record() throws -> RequestRecord {
        guard let clockJSON else { return base }
        var record = base
        record.clock = try JSONDecoder().decode(StatutoryClock.self, from: Data(clockJSON.utf8))
        return record
    }

    /// Whether an actor kept to `scope` may see it (the rule the reads apply in SQL).
    func isVisible(to scope: String?) -> Bool {
        scope == nil || details.team == nil || details.team == scope
    }

    /// The sign-off policy's outcomes.
    var requireApproval: Set<Outcome> { PolicyStore.outcomes(policy) }
}

/// The rows this process holds, by reference, at most `capacity` of them (when full, an
/// arbitrary one makes room: a row not held costs one read, never a wrong answer).
public final class HeldRows: Sendable {
    public let capacity: Int
    private let rows: NIOLockedValueBox<[String: HeldRow]>

    public init(capacity: Int) {
        self.capacity = max(0, capacity)
        self.rows = NIOLockedValueBox([:])
    }

    /// How many rows are held.
    public var count: Int { rows.withLockedValue { $0.count } }

    subscript(ref: String) -> HeldRow? {
        rows.withLockedValue { $0[ref] }
    }

    /// Holds `row` for `ref`, unless a newer version of it is held already.
    func keep(_ row: HeldRow, for ref: String) {
        guard capacity > 0 else { return }
        rows.withLockedValue { rows in
            if let held = rows[ref] {
                guard held.version <= row.version else { return }
            } else if rows.count >= capacity {
                rows.remove(at: rows.startIndex)
            }
            rows[ref] = row
        }
    }

    /// Stops holding `ref` (its row is known to have moved on).
    func forget(_ ref: String) {
        _ = rows.withLockedValue { $0.removeValue(forKey: ref) }
    }
}
