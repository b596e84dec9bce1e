import Deadlines
import Foundation
import Letters
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
    /// holds the row, and most rows read are never acted on).
    private let clockJSON: String?
    let details: RequestDetails

    var version: Int { base.version }
    var assignee: String? { base.assignee }

    init(id: Int, record: RequestRecord, details: RequestDetails) {
        self.id = id
        self.base = record
        self.clockJSON = nil
        self.details = details
    }

    /// A row whose clock is still the database's JSON text.
    init(id: Int, recordWithoutClock: RequestRecord, clockJSON: String, details: RequestDetails) {
        self.id = id
        self.base = recordWithoutClock
        self.clockJSON = clockJSON
        self.details = details
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
        Actor.sees(scope: scope, team: details.team)
    }
}

/// The rows this process holds, by reference, at most `capacity` of them, with the sign-off
/// policy and officers' contact details as last seen. When full, the row held longest makes
/// room (first in, first out): a row not held costs one read, never a wrong answer.
public final class HeldRows: Sendable {
    public let capacity: Int
    /// Rows boxed, so the table itself stays small (a few words per slot, not a whole row).
    private final class Box: Sendable {
        let row: HeldRow
        init(_ row: HeldRow) { self.row = row }
    }
    private struct State {
        var rows: [String: Box] = [:]
        /// The refs in the order they were first held, a ring of `capacity` slots; every held
        /// ref has a slot, so evicting the ref in the next slot keeps `rows` within capacity.
        var slots: [String] = []
        var next = 0
        /// The sign-off policy's text as last read or written here. Not kept per row: an
        /// action on a held row is decided with the policy as last seen, which its write checks.
        var policy: String?
        /// Officers' contact details as last read or written here, by login (likewise checked).
        var leads: [String: LeadContact] = [:]
    }
    private let state = NIOLockedValueBox(State())

    public init(capacity: Int) {
        self.capacity = max(0, capacity)
    }

    /// How many rows are held.
    public var count: Int { state.withLockedValue { $0.rows.count } }

    /// The row held for `ref`, with the policy and its assignee's contact as last seen (none
    /// when not seen: the write's check then misses and the request is read).
    subscript(ref: String) -> (row: HeldRow, policy: String?, lead: LeadContact)? {
        state.withLockedValue { state in
            guard let row = state.rows[ref]?.row else { return nil }
            return (row, state.policy, row.assignee.flatMap { state.leads[$0] } ?? LeadContact())
        }
    }

    /// Holds `row` for `ref`, unless a newer version of it is held already.
    func keep(_ row: HeldRow, for ref: String) {
        guard capacity > 0 else { return }
        state.withLockedValue { state in
            if let held = state.rows[ref] {
                guard held.row.version <= row.version else { return }
            } else if state.slots.count < capacity {
                state.slots.append(ref)
            } else {
                state.rows.removeValue(forKey: state.slots[state.next])
                state.slots[state.next] = ref
                state.next = (state.next + 1) % capacity
            }
            state.rows[ref] = Box(row)
        }
    }

    /// Remembers the sign-off policy and `assignee`'s contact details as a statement just
    /// read them.
    func saw(policy: String?, lead: LeadContact, of assignee: String?) {
        guard capacity > 0 else { return }
        state.withLockedValue { state in
            state.policy = policy
            guard let assignee else { return }
            if state.leads[assignee] == nil, state.leads.count >= capacity { state.leads.removeAll() }
            state.leads[assignee] = lead
        }
    }

    /// Stops holding `ref` (its row is known to have moved on).
    func forget(_ ref: String) {
        _ = state.withLockedValue { $0.rows.removeValue(forKey: ref) }
    }
}
