import Deadlines
import Letters
import Postgres
import Store
import TestSupport
import Testing
import Workflow

/// The schema's lists and the Swift enums say the same thing, so the database and the
/// domain cannot drift apart unnoticed.
@Suite(.requiresDatabase) struct SchemaTests {
    /// The quoted values of a constraint's (or index predicate's) definition text.
    func quoted(_ definition: String) -> Set<String> {
        var values: Set<String> = []
        var current: String?
        for character in definition {
            if character == "'" {
                if let value = current { values.insert(value); current = nil } else { current = "" }
            } else if current != nil {
                current?.append(character)
            }
        }
        return values
    }

    func constraint(_ pool: PostgresPool, _ name: String) async throws -> String {
        try #require(
            try await pool.query(
                "SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conname = \(name)"
            ).first?.decode(String.self, "def"))
    }

    @Test func kindsStatesActionsAndLevelsMatchTheEnums() async throws {
        let pool = try await TestDatabase.migratedPool("schema")
        defer { Task { await pool.shutdown() } }
        let kinds = try await pool.query("SELECT kind, prefix FROM request_kinds ORDER BY kind").rows.map {
            "\(try $0.decode(String.self, "kind"))=\(try $0.decode(String.self, "prefix"))"
        }
        #expect(kinds == RequestKind.allCases.map { "\($0.rawValue)=\($0.referencePrefix)" }.sorted())
        #expect(quoted(try await constraint(pool, "foiflow_state_check")) == Set(RequestState.allCases.map(\.rawValue)))
        #expect(quoted(try await constraint(pool, "foiflow_action_check")) == Set(Action.allCases.map(\.rawValue)))
        #expect(quoted(try await constraint(pool, "foiflow_calendar_check")) == Set(CalendarID.allCases.map(\.rawValue)))
        #expect(quoted(try await constraint(pool, "foiflow_contact_check")) == Set(ContactMethod.preferences.map(\.rawValue)))
        #expect(quoted(try await constraint(pool, "foiflow_notification_level_check")) == Set(EscalationLevel.allCases.map(\.rawValue) + ["letter"]))
        #expect(quoted(try await constraint(pool, "foiflow_letter_template_check")) == Set(LetterType.allCases.map(\.rawValue)))
        #expect(quoted(try await constraint(pool, "foiflow_letter_channel_check")) == Set(LetterChannel.allCases.map(\.rawValue)))
        #expect(quoted(try await constraint(pool, "foiflow_outcome_check")) == Set(Outcome.allCases.map(\.rawValue)))
        // The grounds' kinds and tests are ones the domain knows.
        let groundKinds = try await pool.query("SELECT DISTINCT unnest(kinds) AS kind FROM refusal_grounds").rows.map {
            try $0.decode(String.self, "kind")
        }
        #expect(groundKinds.allSatisfy { RequestKind(rawValue: $0) != nil })
        #expect(quoted(try await constraint(pool, "refusal_grounds_test_check")) == Set(GroundTest.allCases.map(\.rawValue)))
        // An unknown action or kind is refused by the database itself.
        await #expect(throws: PostgresError.self) {
            try await pool.query("INSERT INTO request_kinds (kind, prefix) VALUES ('foi', 'FOX')")
        }
    }

    /// RISK and escalation filter on `state IN (open states)` so that PostgreSQL can use the
    /// partial indexes: their predicates must list exactly the open states.
    /// The retention schedule's SQL asks `foiflow_is_open`; it agrees with `RequestState.isOpen`.
    @Test func theSQLOpenStatesAreTheEnums() async throws {
        let pool = try await TestDatabase.migratedPool("isopen")
        defer { Task { await pool.shutdown() } }
        for state in RequestState.allCases {
            let open = try await pool.query("SELECT foiflow_is_open(\(state.rawValue)) AS open").first?.decode(Bool.self, "open")
            #expect(open == state.isOpen, "\(state)")
        }
        // And counts from casework as `Action.isCasework` says.
        for action in Action.allCases {
            let casework = try await pool.query("SELECT foiflow_is_casework(\(action.rawValue)) AS c").first?.decode(Bool.self, "c")
            #expect(casework == action.isCasework, "\(action)")
        }
    }

    @Test func partialIndexPredicatesAreTheOpenStates() async throws {
        let pool = try await TestDatabase.migratedPool("indexpred")
        defer { Task { await pool.shutdown() } }
        for index in ["requests_open_due", "requests_team_open_due"] {
            let predicate = try #require(
                try await pool.query(
                    "SELECT pg_get_expr(indpred, indrelid) AS p FROM pg_index WHERE indexrelid = \(index)::regclass"
                ).first?.decode(String.self, "p"))
            #expect(quoted(predicate) == Set(RequestState.open.map(\.rawValue)), "\(index): \(predicate)")
        }
        #expect(TransitionTable.spec(for: .escalate).from == Set(RequestState.open))
        // The open-state filter can use the partial index (the table is empty, so the planner
        // is told not to prefer a sequential scan).
        let plan = try await pool.withConnection { connection in
            try connection.query("SET enable_seqscan = off")
            defer { _ = try? connection.query("RESET enable_seqscan") }
            let open = RequestState.open.map { "'\($0.rawValue)'" }.joined(separator: ", ")
            return try connection.query(
                PostgresQuery(
                    unsafeSQL: "EXPLAIN SELECT ref FROM requests WHERE state IN (\(open)) AND due <= '2026-12-01' ORDER BY due, ref LIMIT 10")
            ).rows.map { try $0.decode(String.self, at: 0) }.joined(separator: "\n")
        }
        #expect(plan.contains("requests_open_due") || plan.contains("requests_team_open_due"), "\(plan)")
    }
}
