import NIOConcurrencyHelpers
import Postgres
import Workflow

/// Which of an event's fields the history may hold, as the database says
/// (`foiflow_public_event_fields()`, the one home of the list), for a writer that splits an
/// event itself.
///
/// The history's trigger splits every event it is given: a personal value goes to
/// `request_event_notes` and its place in the event holds `null`. Doing that in PL/pgSQL was a
/// fifth of a CREATE's time in the database (docs/BENCHMARKS.md). A writer that sends the event
/// already split, with its notes row in the same statement, leaves the trigger nothing to do
/// but find no personal value; any other writer is split by the trigger as before.
public struct EventPrivacy: Sendable, Equatable {
    /// Fields whose values the history keeps.
    public var publicFields: Set<String>
    /// Personal fields whose words the search index takes (the trigger indexes them).
    public var searchTextFields: Set<String>

    public init(publicFields: Set<String>, searchTextFields: Set<String>) {
        self.publicFields = publicFields
        self.searchTextFields = searchTextFields
    }

    /// An event's fields as the history keeps them, and its notes row.
    public struct Split: Sendable, Equatable {
        /// The `[key, value]` pairs with each personal value `null`.
        public var kept: String
        /// `{"position": value}` for every field that is not public (positions from 0).
        public var notes: String
    }

    /// `fields` split as the trigger would split them, or `nil` to leave them to the trigger:
    /// when none is personal (nothing to split), or when one is words the search index takes.
    public func split(_ fields: [Field]) -> Split? {
        let personal = fields.indices.filter { !publicFields.contains(fields[$0].key) }
        guard !personal.isEmpty, !personal.contains(where: { searchTextFields.contains(fields[$0].key) }) else { return nil }
        let notes = personal.map { "\(JSONText.string(String($0))):\(JSONText.string(fields[$0].value))" }
        return Split(kept: JSONText.fields(fields, keeps: publicFields.contains), notes: "{" + notes.joined(separator: ",") + "}")
    }

    /// The lists as the database has them.
    public static func read(_ pool: PostgresPool) async throws -> EventPrivacy {
        let row = try await pool.query(
            """
            SELECT array_to_string(foiflow_public_event_fields(), ',') AS public,
                   array_to_string(foiflow_search_text_fields(), ',') AS words
            """
        ).first
        guard let row else { throw WorkflowError.inconsistent("the database returned no field lists") }
        func names(_ column: String) throws -> Set<String> {
            Set(try row.decode(String.self, column).split(separator: ",").map(String.init))
        }
        return EventPrivacy(publicFields: try names("public"), searchTextFields: try names("words"))
    }
}

/// The lists, read from the database on first use and kept for the life of the process (they
/// change only with a migration, after which a server is restarted). A reading that fails is
/// not kept: the write it was for leaves the split to the trigger.
public final class EventPrivacyCache: Sendable {
    public let pool: PostgresPool
    private let entry = NIOLockedValueBox<EventPrivacy?>(nil)

    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// The lists, or `nil` when they cannot be read now.
    public func current() async -> EventPrivacy? {
        if let cached = entry.withLockedValue({ $0 }) { return cached }
        guard let read = try? await EventPrivacy.read(pool) else { return nil }
        entry.withLockedValue { $0 = read }
        return read
    }
}
