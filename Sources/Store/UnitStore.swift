import Foundation
import Letters
import Mail
import Postgres
import Workflow

/// The disclosure unit's own details, kept in the database (`foiflow unit set`) so that every
/// server and job names the same unit in letters. While none are set, the environment's
/// (`FOIFLOW_UNIT_NAME`, `FOIFLOW_UNIT_EMAIL`, `FOIFLOW_UNIT_PHONE`, `FOIFLOW_UNIT_ADDRESS`)
/// stand in: a first-run default.
public struct UnitStore: Sendable {
    public let pool: PostgresPool

    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// The details stored, or `nil` when none were ever set.
    public func stored() async throws -> UnitContact? {
        guard let row = try await pool.query("SELECT name, email, phone, address FROM unit_details WHERE id = 1").first else { return nil }
        return UnitContact(
            name: try row.decode(String?.self, "name"), email: try row.decode(String?.self, "email"),
            phone: try row.decode(String?.self, "phone"), address: try row.decode(String?.self, "address"))
    }

    /// The details letters use: those stored, else `fallback` (the environment's).
    public func current(fallback: UnitContact = .fromEnvironment()) async throws -> UnitContact {
        try await stored() ?? fallback
    }

    /// What is wrong with `details` as the unit's, if anything: each value on one line, within
    /// its length, the e-mail address one address and the number a number.
    public static func problem(_ details: UnitContact) -> String? {
        do {
            // The same rules as a lead officer's details, and the address as one more line.
            try UserStore.validateDetails(team: nil, name: details.name, email: details.email, phone: details.phone)
            try UserStore.validateLine("address", details.address, limit: 500)
            return nil
        } catch {
            return error.description
        }
    }

    /// Sets the values given (the others are kept), recorded against `actor`; returns the details now.
    public func set(_ given: UnitContact, by actor: String) async throws -> UnitContact {
        if let problem = UnitStore.problem(given) { throw WorkflowError.badArgument(problem) }
        let row = try await pool.recordingChanges(by: actor) { connection in
            try connection.query(
                """
                INSERT INTO unit_details AS u (id, name, email, phone, address, updated_by)
                VALUES (1, \(given.name), \(given.email), \(given.phone), \(given.address), \(actor))
                ON CONFLICT (id) DO UPDATE SET
                    name = coalesce(excluded.name, u.name), email = coalesce(excluded.email, u.email),
                    phone = coalesce(excluded.phone, u.phone), address = coalesce(excluded.address, u.address),
                    updated_by = excluded.updated_by, updated_at = now()
                RETURNING name, email, phone, address
                """
            ).first
        }
        guard let row else { throw WorkflowError.inconsistent("the unit's details were not written") }
        return UnitContact(
            name: try row.decode(String?.self, "name"), email: try row.decode(String?.self, "email"),
            phone: try row.decode(String?.self, "phone"), address: try row.decode(String?.self, "address"))
    }
}

/// The unit's details as a long-running process last read them, read again at most once per
/// `maxAge`: a change made with `foiflow unit set` reaches a running server within that time.
/// When the database cannot be reached the last reading is kept.
public final class UnitCache: Sendable {
    public let store: UnitStore
    public let fallback: UnitContact
    private let reading: RecentReading<UnitContact>

    public var maxAge: Duration { reading.maxAge }

    public init(store: UnitStore, fallback: UnitContact, maxAge: Duration = .seconds(1)) {
        self.store = store
        self.fallback = fallback
        self.reading = RecentReading(maxAge: maxAge)
    }

    public func current() async throws -> UnitContact {
        try await reading.value { [store, fallback] _ in try await store.current(fallback: fallback) }
    }
}
