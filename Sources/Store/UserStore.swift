import Digest
import Foundation
import Mail
import Postgres
import Workflow

/// A user of foiflow.
public struct User: Sendable, Equatable {
    public var id: Int
    public var login: String
    public var role: Role
    public var team: String?
    public var name: String?
    public var email: String?
    /// A telephone number letters give for this user as the lead officer.
    public var phone: String?
    public var disabled: Bool
}

/// Users and their API tokens.
///
/// A token is 32 random bytes in hex, shown once; the database keeps only its
/// SHA-256, so a leaked table does not leak tokens.
public struct UserStore: Sendable {
    public let pool: PostgresPool

    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// Checks a login: lower-case letter first, then up to 62 of `a-z 0-9 . _ -`.
    public static func validateLogin(_ login: String) throws(WorkflowError) {
        guard WorkflowEngine.isLogin(login) else {
            throw .badArgument("login \(login.debugDescription) is not valid: start with a lower-case letter, then up to 62 of a-z 0-9 . _ -")
        }
    }

    /// Checks a user's details as protocol fields are checked: one line each with no control
    /// character (`HostileText`), within a length, and the e-mail address exactly one address.
    public static func validateDetails(team: String?, name: String?, email: String?, phone: String?) throws(WorkflowError) {
        for (field, value, limit) in [("team", team, 100), ("name", name, 200), ("phone", phone, 40)] {
            try validateLine(field, value, limit: limit)
        }
        if let email, let problem = EmailAddress.problem(email) { throw .badArgument("email \(problem)") }
        if let phone, let problem = TelephoneNumber.problem(phone) { throw .badArgument("phone \(problem)") }
    }

    /// One line of text (`nil`: not given): no control character or line break, not blank,
    /// at most `limit` characters.
    public static func validateLine(_ field: String, _ value: String?, limit: Int) throws(WorkflowError) {
        guard let value else { return }
        if let scalar = value.unicodeScalars.first(where: HostileText.isControl) {
            throw .badArgument("\(field) contains a control character or line break (\(HostileText.name(scalar))); give it on one line")
        }
        guard !WorkflowEngine.isBlank(value) else { throw .badArgument("\(field) must not be empty") }
        guard value.count <= limit else { throw .badArgument("\(field) is longer than \(limit) characters") }
    }

    /// Creates a user and returns it with its new token.
    /// `onlyIfNoUsers`: create only when the table is empty (first admin at set-up); `nil` otherwise.
    public func add(
        login: String, role: Role, team: String? = nil, name: String? = nil, email: String? = nil, phone: String? = nil,
        onlyIfNoUsers: Bool = false, by actor: String = "db"
    ) async throws -> (user: User, token: String)? {
        try UserStore.validateLogin(login)
        try UserStore.validateDetails(team: team, name: name, email: email, phone: phone)
        let token = UserStore.newToken()
        let hash = PostgresBytes(SHA256.hash(Array(token.utf8)))
        do {
            return try await pool.recordingChanges(by: actor) { connection -> (User, String)? in
                if onlyIfNoUsers {
                    // Serialise concurrent first-run set-ups, then look.
                    try connection.query("LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE")
                    let any = try connection.query("SELECT EXISTS (SELECT 1 FROM users) AS present")
                    if try any.first?.decode(Bool.self, "present") == true { return nil }
                }
                let result = try connection.query(
                    """
                    INSERT INTO users (login, role, team, name, email, phone, token_hash)
                    VALUES (\(login), \(role.rawValue), \(team), \(name), \(email), \(phone), \(hash))
                    RETURNING \(unescaped: UserStore.columns)
                    """)
                guard let row = result.first else { throw WorkflowError.inconsistent("the user was not created") }
                return (try UserStore.user(from: row), token)
            }
        } catch let error as PostgresError where error.sqlState == SQLState.uniqueViolation {
            throw WorkflowError.conflict("a user with login '\(login)' already exists")
        }
    }

    /// The active user whose token this is, or `nil` (unknown, revoked or disabled: all alike).
    public func authenticate(token: String) async throws -> User? {
        let hash = SHA256.hash(Array(token.utf8))
        let result = try await pool.query(
            "SELECT \(unescaped: UserStore.columns), token_hash FROM users WHERE token_hash = \(PostgresBytes(hash)) AND disabled_at IS NULL")
        guard let row = result.first else { return nil }
        let stored = try row.decode(PostgresBytes.self, "token_hash").bytes
        guard UserStore.constantTimeEqual(stored, hash) else { return nil }
        return try UserStore.user(from: row)
    }

    /// The stored form of a token: its SHA-256.
    public static func tokenHash(_ token: String) -> [UInt8] {
        SHA256.hash(Array(token.utf8))
    }

    /// The user `id` as it is now, if it is still active and `tokenHash` is still its token;
    /// `nil` once it was disabled, removed or its token rotated.
    public func recheck(id: Int, tokenHash: [UInt8]) async throws -> User? {
        try await pool.query(
            "SELECT \(unescaped: UserStore.columns) FROM users WHERE id = \(id) AND token_hash = \(PostgresBytes(tokenHash)) AND disabled_at IS NULL"
        ).first.map(UserStore.user(from:))
    }

    /// The user with this login (disabled ones too), or `nil`.
    public func find(login: String) async throws -> User? {
        try await pool.query("SELECT \(unescaped: UserStore.columns) FROM users WHERE login = \(login)").first.map(UserStore.user(from:))
    }

    /// Disables a user: their token stops working at once; their history stays.
    public func disable(login: String, by actor: String = "db") async throws {
        let affected = try await pool.recordingChanges(by: actor) { connection in
            try connection.query(
                "UPDATE users SET disabled_at = coalesce(disabled_at, now()), token_hash = NULL, calendar_token_hash = NULL WHERE login = \(login)"
            ).affectedRows
        }
        guard affected == 1 else { throw WorkflowError.notFound("no user '\(login)'") }
    }

    /// Enables a disabled user again. Their old token stays revoked: they need a new one
    /// (returned, shown once).
    public func enable(login: String, by actor: String = "db") async throws -> String {
        let token = UserStore.newToken()
        let hash = PostgresBytes(SHA256.hash(Array(token.utf8)))
        let state = try await pool.recordingChanges(by: actor) { connection -> Bool? in
            guard let row = try connection.query("SELECT disabled_at IS NOT NULL AS disabled FROM users WHERE login = \(login) FOR UPDATE").first
            else { return nil }
            guard try row.decode(Bool.self, "disabled") else { return false }
            try connection.query("UPDATE users SET disabled_at = NULL, token_hash = \(hash) WHERE login = \(login)")
            return true
        }
        guard let state else { throw WorkflowError.notFound("no user '\(login)'") }
        guard state else { throw WorkflowError.conflict("'\(login)' is not disabled") }
        return token
    }

    /// What `update` changes: each value given replaces the user's; `nil` keeps it. An empty
    /// team, name, e-mail or phone removes it.
    public struct Changes: Sendable {
        public var role: Role?
        public var team: String?
        public var name: String?
        public var email: String?
        public var phone: String?

        public init(role: Role? = nil, team: String? = nil, name: String? = nil, email: String? = nil, phone: String? = nil) {
            self.role = role
            self.team = team
            self.name = name
            self.email = email
            self.phone = phone
        }

        public var isEmpty: Bool { role == nil && team == nil && name == nil && email == nil && phone == nil }
    }

    /// Changes a user's role, team or contact details; returns the user as changed.
    /// A change of role or team takes effect on their sessions before their next command.
    public func update(login: String, _ changes: Changes, by actor: String = "db") async throws -> User {
        guard !changes.isEmpty else { throw WorkflowError.badArgument("nothing to change: give --role, --team, --name, --email or --phone") }
        func kept(_ value: String?) -> String? { value.flatMap { $0.isEmpty ? nil : $0 } }
        try UserStore.validateDetails(team: kept(changes.team), name: kept(changes.name), email: kept(changes.email), phone: kept(changes.phone))
        let row = try await pool.recordingChanges(by: actor) { connection in
            try connection.query(
                """
                UPDATE users SET
                    role = coalesce(\(changes.role?.rawValue)::text, role),
                    team = CASE WHEN \(changes.team)::text IS NULL THEN team ELSE nullif(\(changes.team)::text, '') END,
                    name = CASE WHEN \(changes.name)::text IS NULL THEN name ELSE nullif(\(changes.name)::text, '') END,
                    email = CASE WHEN \(changes.email)::text IS NULL THEN email ELSE nullif(\(changes.email)::text, '') END,
                    phone = CASE WHEN \(changes.phone)::text IS NULL THEN phone ELSE nullif(\(changes.phone)::text, '') END
                WHERE login = \(login)
                RETURNING \(unescaped: UserStore.columns)
                """
            ).first
        }
        guard let row else { throw WorkflowError.notFound("no user '\(login)'") }
        return try UserStore.user(from: row)
    }

    /// The secrets a user holds, each kept only as its SHA-256 in its own column.
    public enum Secret: String, Sendable {
        /// The API token (`AUTH`, `--as` through the protocol).
        case api = "token_hash"
        /// The calendar feed's token (`/calendar/TOKEN.ics`).
        case calendar = "calendar_token_hash"
    }

    /// Issues a new `secret` for an active user, revoking the old one; returns it (shown once).
    public func newToken(_ secret: Secret = .api, login: String, by actor: String = "db") async throws -> String {
        let token = UserStore.newToken()
        let affected = try await pool.recordingChanges(by: actor) { connection in
            // The column is one of Secret's, never input.
            try connection.query(
                "UPDATE users SET \(unescaped: secret.rawValue) = \(PostgresBytes(SHA256.hash(Array(token.utf8)))) WHERE login = \(login) AND disabled_at IS NULL"
            ).affectedRows
        }
        guard affected == 1 else { throw WorkflowError.notFound("no active user '\(login)'") }
        return token
    }

    /// All users, by login.
    public func list() async throws -> [User] {
        try await pool.withConnection { connection in
            try connection.query("SELECT \(unescaped: UserStore.columns) FROM users ORDER BY login").rows.map(UserStore.user(from:))
        }
    }

    static let columns = "id, login, role, team, name, email, phone, disabled_at IS NOT NULL AS disabled"

    static func user(from row: PostgresRow) throws -> User {
        User(
            id: try row.decode(Int.self, "id"), login: try row.decode(String.self, "login"), role: try row.decode(Role.self, "role"),
            team: try row.decode(String?.self, "team"), name: try row.decode(String?.self, "name"),
            email: try row.decode(String?.self, "email"), phone: try row.decode(String?.self, "phone"),
            disabled: try row.decode(Bool.self, "disabled"))
    }

    /// 32 random bytes as 64 hex digits.
    static func newToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return SHA256.hexString((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    /// Compares two byte strings in time that depends only on their length.
    public static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in a.indices { difference |= a[i] ^ b[i] }
        return difference == 0
    }
}
