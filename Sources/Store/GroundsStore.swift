import Deadlines
import NIOConcurrencyHelpers
import Postgres
import Workflow

/// The refusal grounds (`refusal_grounds`, seeded by migration), read once per process: they
/// change only with a migration, after which a running server is restarted anyway.
public final class GroundsStore: Sendable {
    public let pool: PostgresPool
    private let loaded = NIOLockedValueBox<GroundsTable?>(nil)

    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// The table (read from the database the first time).
    public func table() async throws -> GroundsTable {
        if let table = loaded.withLockedValue({ $0 }) { return table }
        let table = try await pool.withConnection { connection in try GroundsStore.load(connection) }
        loaded.withLockedValue { $0 = table }
        return table
    }

    /// Reads the table on `connection`, in its order.
    static func load(_ connection: PostgresConnection) throws -> GroundsTable {
        let rows = try connection.query(
            "SELECT code, citation, title, array_to_string(kinds, ',') AS kinds, test, pit, ncnd FROM refusal_grounds ORDER BY position"
        ).rows
        return GroundsTable(
            try rows.map { row in
                let testName = try row.decode(String.self, "test")
                guard let test = GroundTest(rawValue: testName) else { throw WorkflowError.inconsistent("unknown ground test '\(testName)'") }
                let kinds = try row.decode(String.self, "kinds").split(separator: ",").map { name in
                    guard let kind = RequestKind(rawValue: String(name)) else { throw WorkflowError.inconsistent("unknown kind '\(name)'") }
                    return kind
                }
                return RefusalGround(
                    code: try row.decode(String.self, "code"), citation: try row.decode(String.self, "citation"),
                    title: try row.decode(String.self, "title"), kinds: Set(kinds), test: test, pit: try row.decode(Bool.self, "pit"),
                    ncnd: try row.decode(Bool.self, "ncnd"))
            })
    }

    /// A ground as `GROUNDS` and `foiflow grounds` show it.
    public static func fields(_ ground: RefusalGround) -> [Field] {
        [
            Field("code", ground.code), Field("title", ground.title),
            Field("kinds", RequestKind.allCases.filter(ground.kinds.contains).map(\.rawValue).joined(separator: ",")),
            Field("test", ground.test.rawValue), Field("pit", String(ground.pit)), Field("ncnd", String(ground.ncnd)),
            Field("citation", ground.citation),
        ]
    }

    // MARK: Free text recorded before grounds were data

    /// What reading the old free-text exemptions found.
    public struct FreeTextReport: Sendable, Equatable {
        /// Requests whose text was read (wholly or in part).
        public var requests: Int = 0
        /// Grounds recorded from the text.
        public var grounds: Int = 0
        /// Codes that could not be read, with the request and why: kept in `unparsed_exemptions`.
        public var unparsed: [Unparsed] = []

        public init() {}

        public struct Unparsed: Sendable, Equatable {
            public var ref: String
            public var code: String
            public var problem: String
        }
    }

    /// Reads the exemptions text of every request queued by migration 0014 with the same
    /// reader as `ACT`, records the grounds it names and lists (and keeps) the codes it cannot
    /// read. One transaction; the queue empties as it goes, so a second run finds nothing.
    static func parseQueuedFreeText(_ connection: PostgresConnection) throws -> FreeTextReport {
        let queued = try connection.query("SELECT to_regclass('exemption_texts_to_parse') IS NOT NULL AS present").first?
            .decode(Bool.self, "present")
        guard queued == true else { return FreeTextReport() }
        return try connection.withTransaction { tx in
            let table = try load(tx)
            let rows = try tx.query(
                """
                SELECT q.request_id, q.text, r.ref, r.kind, r.parent_ref
                FROM exemption_texts_to_parse q JOIN requests r ON r.id = q.request_id
                ORDER BY r.ref FOR UPDATE OF q
                """
            ).rows
            var report = FreeTextReport()
            var ids: [Int] = [], codes: [String] = [], cited: [String] = []
            var badIDs: [Int] = [], badCodes: [String] = [], problems: [String] = []
            for row in rows {
                let id = try row.decode(Int.self, "request_id")
                let ref = try row.decode(String.self, "ref")
                guard var kind = RequestKind(rawValue: try row.decode(String.self, "kind")) else { continue }
                if kind == .review, let parent = try row.decode(String?.self, "parent_ref").flatMap(RequestReference.init) { kind = parent.kind }
                var found = false
                var seen: Set<String> = []
                for piece in GroundsStore.freeTextCodes(try row.decode(String.self, "text")) {
                    do throws(WorkflowError) {
                        let ground = try table.resolve(piece, kind: kind)
                        guard seen.insert(ground.ground.code).inserted else { continue }
                        ids.append(id)
                        codes.append(ground.ground.code)
                        cited.append(ground.cited)
                        found = true
                    } catch {
                        guard seen.insert("?" + piece).inserted else { continue }
                        badIDs.append(id)
                        badCodes.append(piece)
                        problems.append(error.description)
                        report.unparsed.append(.init(ref: ref, code: piece, problem: error.description))
                    }
                }
                if found { report.requests += 1 }
            }
            report.grounds = ids.count
            try tx.query(
                """
                WITH g AS (
                    INSERT INTO request_grounds (request_id, ground, cited, in_response)
                    SELECT u.request_id, u.ground, u.cited, true
                    FROM unnest(\(ids)::bigint[], \(codes)::text[], \(cited)::text[]) AS u(request_id, ground, cited)
                    ON CONFLICT (request_id, ground) DO NOTHING
                ),
                bad AS (
                    INSERT INTO unparsed_exemptions (request_id, code, problem)
                    SELECT * FROM unnest(\(badIDs)::bigint[], \(badCodes)::text[], \(problems)::text[])
                    ON CONFLICT (request_id, code) DO NOTHING
                )
                DELETE FROM exemption_texts_to_parse
                """)
            return report
        }
    }

    /// The codes a free-text list names, as written: `s31 (law enforcement), s40(2) and
    /// S.38` gives `s31`, `s40(2)`, `S.38`. Descriptions in brackets are dropped; commas,
    /// semicolons, `&`, `/` and `and` separate; so does a word that starts a new code.
    static func freeTextCodes(_ text: String) -> [String] {
        // Drop bracketed words that are not subsections: `(law enforcement)`, `(personal data)`.
        var kept = ""
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "(") {
            kept += rest[..<open]
            guard let close = rest[open...].firstIndex(of: ")") else {
                rest = rest[open...]
                break
            }
            let inner = rest[rest.index(after: open)..<close]
            if !inner.isEmpty, inner.count <= 4, inner.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) {
                kept += rest[open...close]
            }
            rest = rest[rest.index(after: close)...]
        }
        kept += rest
        return kept.split(whereSeparator: { ",;&/".contains($0) }).flatMap { splitWords(String($0)) }
    }

    /// One item of a free-text list, split where it names several codes without a comma
    /// (`s40(2) and s31`, `Section 31 Section 30`).
    static func splitWords(_ item: String) -> [String] {
        var pieces: [String] = []
        var current: [Substring] = []
        for word in item.split(whereSeparator: \.isWhitespace) where word.lowercased() != "and" {
            // A word that no longer reads as part of the code so far starts the next one.
            // (`Section 31 Section 30`), if it can start a code (`Sch 2 para 2` is one).
            let startsCode = GroundCode.canonical(String(word)) != nil || GroundCode.canonical(word + "1") != nil
            if startsCode, !current.isEmpty, GroundCode.canonical(current.joined(separator: " ")) != nil,
                GroundCode.canonical((current + [word]).joined(separator: " ")) == nil
            {
                pieces.append(current.joined(separator: " "))
                current = []
            }
            current.append(word)
        }
        if !current.isEmpty { pieces.append(current.joined(separator: " ")) }
        return pieces.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}

extension GroundsStore {
    /// The free-text codes migration could not read (`ref code problem`), by ref.
    public func unparsed() async throws -> [[Field]] {
        try await pool.query(
            """
            SELECT r.ref, u.code, u.problem, r.exemptions AS text
            FROM unparsed_exemptions u JOIN requests r ON r.id = u.request_id ORDER BY r.ref, u.code
            """
        ).rows.map { row in
            [
                Field("ref", try row.decode(String.self, "ref")), Field("code", try row.decode(String.self, "code")),
                Field("text", try row.decode(String?.self, "text") ?? ""), Field("problem", try row.decode(String.self, "problem")),
            ]
        }
    }
}
