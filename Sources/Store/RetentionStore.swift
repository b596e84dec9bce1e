import Dates
import Deadlines
import Postgres
import Workflow

/// How long a kind's personal data is kept after the request closes (`retention_rules`).
public struct RetentionRule: Sendable, Equatable {
    public var kind: RequestKind
    /// `nil`: kept as long as the request it is about (a review).
    public var years: Int?
    public var months: Int

    public init(kind: RequestKind, years: Int?, months: Int) {
        self.kind = kind
        self.years = years
        self.months = months
    }

    /// `3 years`, `2 years 6 months`, or `with the request it is about`.
    public var periodText: String {
        guard let years else { return "with the request it is about" }
        let y = years == 1 ? "1 year" : "\(years) years"
        return months == 0 ? y : "\(y) \(months == 1 ? "1 month" : "\(months) months")"
    }

    public var fields: [Field] {
        [Field("kind", kind.rawValue), Field("years", years.map(String.init) ?? ""), .number("months", months), Field("period", periodText)]
    }

    public static let columns = ["kind", "years", "months", "period"]
}

/// A family of requests (a request and the reviews and ICO cases about it), as the schedule
/// sees it: when its personal data is to be removed, or why it is kept.
public struct RetentionItem: Sendable, Equatable {
    public var ref: String
    /// Every request of the family, its root first.
    public var refs: [String]
    public var anonymiseOn: CivilDate?
    public var held: String?

    public var fields: [Field] {
        var out = [Field("ref", ref), Field("requests", refs.joined(separator: ","))]
        if let anonymiseOn { out.append(Field("anonymise_on", anonymiseOn.description)) }
        if let held { out.append(Field("held", held)) }
        return out
    }

    public static let columns = ["ref", "requests", "anonymise_on", "held"]
}

/// What a retention run or an erasure did.
public struct RetentionReport: Sendable, Equatable {
    public var asOf: CivilDate
    public var dryRun: Bool
    /// The families anonymised (their root references), or that would be on a dry run.
    public var anonymised: [String]
    /// Requests anonymised (every member of those families).
    public var requests: Int
    /// Families kept, and why (an erasure's open, held or appeal-window requests).
    public var kept: [RetentionItem]
}

/// The retention schedule: rules per kind, what falls due, and the run that anonymises.
public struct RetentionStore: Sendable {
    public let pool: PostgresPool
    public init(pool: PostgresPool) {
        self.pool = pool
    }

    public func rules() async throws -> [RetentionRule] {
        let rows = try await pool.query("SELECT kind, years, months FROM retention_rules").rows
        let rules = try rows.map {
            RetentionRule(
                kind: try $0.decode(RequestKind.self, "kind"), years: try $0.decode(Int?.self, "years"), months: try $0.decode(Int.self, "months"))
        }
        return RequestKind.allCases.compactMap { kind in rules.first { $0.kind == kind } }
    }

    /// Sets `kind`'s period (`years` nil: with the request it is about), recorded with who set it.
    public func set(kind: RequestKind, years: Int?, months: Int, by actor: String) async throws {
        guard years.map({ (0...100).contains($0) }) ?? true else { throw WorkflowError.badArgument("years must be 0 to 100") }
        guard (0...11).contains(months) else { throw WorkflowError.badArgument("months must be 0 to 11") }
        guard years != nil || months == 0 else { throw WorkflowError.badArgument("months go with years") }
        if years == nil, kind.parentKinds.isEmpty {
            throw WorkflowError.badArgument("a \(kind.rawValue) is about no other request: it needs --years")
        }
        try await pool.query(
            """
            WITH rule AS (
                INSERT INTO retention_rules (kind, years, months, updated_by) VALUES (\(kind.rawValue), \(years), \(months), \(actor))
                ON CONFLICT (kind) DO UPDATE SET years = excluded.years, months = excluded.months, updated_by = excluded.updated_by,
                                                 updated_at = now()
                RETURNING kind
            )
            INSERT INTO retention_rule_changes (actor, kind, years, months) SELECT \(actor), kind, \(years), \(months) FROM rule
            """)
    }

    /// Families whose date falls on or before `until` and are not yet anonymised, and the
    /// closed families held past it, with why; by date, then reference.
    public func due(until: CivilDate, asOf: CivilDate) async throws -> [RetentionItem] {
        let rows = try await pool.query(
            """
            SELECT root.ref, t.anonymise_on, t.held,
                   \(unescaped: RetentionStore.familyRefs)
            FROM foiflow_retention(\(asOf)::date, ARRAY(SELECT foiflow_retention_roots(\(until)::date))) t
            JOIN requests root ON root.id = t.root_id
            WHERE t.anonymised_on IS NULL AND t.anonymise_on <= \(until)::date
            ORDER BY t.anonymise_on, root.ref
            """
        ).rows
        return try rows.map(RetentionStore.item)
    }

    /// The references of family `t.root_id`, the root first (`refs`, as `item` reads it).
    static let familyRefs = """
        (SELECT string_agg(r.ref, ',' ORDER BY r.id = t.root_id DESC, r.ref)
         FROM foiflow_family_members(ARRAY[t.root_id]) f JOIN requests r ON r.id = f.id) AS refs
        """

    static func item(_ row: PostgresRow) throws -> RetentionItem {
        RetentionItem(
            ref: try row.decode(String.self, "ref"), refs: (try row.decode(String.self, "refs")).split(separator: ",").map(String.init),
            anonymiseOn: try row.decode(CivilDate?.self, "anonymise_on"), held: try row.decode(String?.self, "held"))
    }

    /// Anonymises every family whose date has come and that nothing holds, as of `asOf`, in
    /// one statement (one transaction: a run killed part-way leaves nothing half done, and the
    /// next does it all). Safe to run twice or at once: a family is anonymised once.
    public func run(asOf: CivilDate, dryRun: Bool = false) async throws -> RetentionReport {
        var report = RetentionReport(asOf: asOf, dryRun: dryRun, anonymised: [], requests: 0, kept: [])
        let due = try await pool.query(
            """
            SELECT t.root_id, root.ref
            FROM foiflow_retention(\(asOf)::date, ARRAY(SELECT foiflow_retention_roots(\(asOf)::date))) t
            JOIN requests root ON root.id = t.root_id
            WHERE t.anonymised_on IS NULL AND t.held IS NULL AND t.anonymise_on <= \(asOf)::date
            ORDER BY root.ref
            """
        ).rows
        let roots = try due.map { try $0.decode(Int.self, "root_id") }
        let refs = try due.map { try $0.decode(String.self, "ref") }
        guard !dryRun else {
            report.anonymised = refs
            return report
        }
        // Idempotency keys serve retries of a CREATE, for a day or two; after 30 days they go.
        try await pool.query("DELETE FROM idempotency_keys WHERE created_at < \(asOf.adding(days: -30))::date")
        guard !roots.isEmpty else { return report }
        let done = Set(try await anonymise(roots, asOf: asOf, basis: "schedule"))
        report.anonymised = refs.filter(done.contains)
        report.requests = done.count
        return report
    }

    /// Anonymises the families of `roots` now, in one statement; the references changed.
    func anonymise(_ roots: [Int], asOf: CivilDate, basis: String) async throws -> [String] {
        try await pool.query(
            "SELECT foiflow_anonymise(\(roots)::bigint[], \(asOf)::date, 'system', \(basis)) AS ref"
        ).rows.map { try $0.decode(String.self, "ref") }
    }

    /// Erasure on request (UK GDPR Article 17): anonymises now every closed family of the
    /// person (by e-mail, matched without regard to case, or by one reference) that nothing
    /// holds, whatever its scheduled date; lists each kept, and why.
    public func erase(email: String? = nil, ref: String? = nil, asOf: CivilDate, dryRun: Bool = false) async throws -> RetentionReport {
        guard (email == nil) != (ref == nil) else { throw WorkflowError.badArgument("name the person by --email or one request by --ref") }
        let rows = try await pool.query(
            """
            WITH mine AS (
                SELECT DISTINCT foiflow_family_root(r.id) AS root_id FROM requests r
                WHERE (\(email)::text IS NOT NULL AND lower(r.email) = lower(\(email)::text)) OR r.ref = \(ref)::text
            )
            SELECT t.root_id, root.ref, t.anonymise_on, t.held, t.anonymised_on,
                   \(unescaped: RetentionStore.familyRefs)
            FROM foiflow_retention(\(asOf)::date, ARRAY(SELECT root_id FROM mine)) t JOIN requests root ON root.id = t.root_id
            ORDER BY root.ref
            """
        ).rows
        if rows.isEmpty, let ref { throw WorkflowError.notFound("no request \(ref)") }
        var report = RetentionReport(asOf: asOf, dryRun: dryRun, anonymised: [], requests: 0, kept: [])
        var roots: [Int] = []
        for row in rows where try row.decode(CivilDate?.self, "anonymised_on") == nil {
            let item = try RetentionStore.item(row)
            if item.held != nil {
                report.kept.append(item)
            } else {
                roots.append(try row.decode(Int.self, "root_id"))
                report.anonymised.append(item.ref)
            }
        }
        if !dryRun, !roots.isEmpty {
            let done = Set(try await anonymise(roots, asOf: asOf, basis: "erasure"))
            report.requests = done.count
            report.anonymised = report.anonymised.filter(done.contains)
        }
        return report
    }
}
