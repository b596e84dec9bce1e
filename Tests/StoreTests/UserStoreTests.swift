import Digest
import Postgres
import Store
import TestSupport
import Testing
import Workflow

@Suite(.requiresDatabase) struct UserStoreTests {
    @Test func addAuthenticateAndListUsers() async throws {
        let pool = try await TestDatabase.migratedPool("users")
        defer { Task { await pool.shutdown() } }
        let users = UserStore(pool: pool)
        let created = try #require(try await users.add(login: "asmith", role: .officer, team: "north", email: "a@example.org"))
        #expect(created.token.count == 64)
        #expect(created.user.login == "asmith" && created.user.role == .officer && created.user.team == "north")
        let found = try await users.authenticate(token: created.token)
        #expect(found?.login == "asmith")
        #expect(try await users.authenticate(token: String(repeating: "0", count: 64)) == nil)
        #expect(try await users.authenticate(token: "") == nil)
        #expect(try await users.list().map(\.login) == ["asmith"])
        // Only the hash is stored.
        let stored = try await pool.query("SELECT encode(token_hash, 'hex') AS h FROM users").first?.decode(String.self, "h")
        #expect(stored == SHA256.hex(created.token))
    }

    @Test func duplicateLoginIsAConflictAndWritesNothing() async throws {
        let pool = try await TestDatabase.migratedPool("dup")
        defer { Task { await pool.shutdown() } }
        let users = UserStore(pool: pool)
        _ = try await users.add(login: "bkhan", role: .manager)
        await #expect(throws: WorkflowError.conflict("a user with login 'bkhan' already exists")) {
            try await users.add(login: "bkhan", role: .admin)
        }
        #expect(try await users.list().count == 1)
    }

    @Test func badLoginsAreRefused() async throws {
        for login in ["", "Upper", "1abc", "has space", String(repeating: "a", count: 64), "semi;colon"] {
            #expect(throws: WorkflowError.self) { try UserStore.validateLogin(login) }
        }
        try UserStore.validateLogin("a.smith-2_x")
    }

    @Test func firstAdminIsCreatedOnlyOnce() async throws {
        let pool = try await TestDatabase.migratedPool("first")
        defer { Task { await pool.shutdown() } }
        let users = UserStore(pool: pool)
        // Two set-ups at once: exactly one creates the admin.
        async let a = users.add(login: "admin", role: .admin, onlyIfNoUsers: true)
        async let b = users.add(login: "admin2", role: .admin, onlyIfNoUsers: true)
        let results = try await [a, b]
        #expect(results.compactMap { $0 }.count == 1)
        #expect(try await users.list().count == 1)
    }

    @Test func disabledUsersCannotAuthenticate() async throws {
        let pool = try await TestDatabase.migratedPool("disabled")
        defer { Task { await pool.shutdown() } }
        let users = UserStore(pool: pool)
        let created = try #require(try await users.add(login: "cjones", role: .auditor))
        try await pool.query("UPDATE users SET disabled_at = now() WHERE login = \("cjones")")
        #expect(try await users.authenticate(token: created.token) == nil)
    }
}
