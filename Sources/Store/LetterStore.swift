import Dates
import Foundation
import Postgres
import Workflow

/// A letter as `LETTERS` and `LETTER` show it.
public struct LetterView: Sendable, Equatable {
    public var id: Int
    public var ref: String
    public var template: String
    public var channel: String
    public var status: String
    public var created: Date
    public var sent: Date?
    public var subject: String
    public var recipient: String?
    public var body: String
    public var taskNote: String?

    /// `id template channel status created [sent] subject [note]`: a `* letter` line of `LETTERS`.
    public var summaryFields: [Field] {
        var fields = [
            Field("id", String(id)), Field("template", template), Field("channel", channel), Field("status", status),
            Field("created", Timestamps.rfc3339(created)),
        ]
        if let sent { fields.append(Field("sent", Timestamps.rfc3339(sent))) }
        fields.append(Field("subject", subject))
        if let taskNote { fields.append(Field("note", taskNote)) }
        return fields
    }

    /// The summary plus `ref`, `to` and the whole `body`: the `* letter` line of `LETTER`.
    public var fullFields: [Field] {
        var fields = summaryFields
        fields.insert(Field("ref", ref), at: 1)
        if let recipient { fields.append(Field("to", recipient)) }
        fields.append(Field("body", body))
        return fields
    }
}

/// Letters to requesters: read by request or by id (they are written with the actions).
public struct LetterStore: Sendable {
    public let pool: PostgresPool

    public init(pool: PostgresPool) {
        self.pool = pool
    }

    static let columns = """
        l.id, r.ref, l.template, l.channel, l.status, l.created_at, l.sent_at, l.subject, l.recipient, l.body, l.task_note,
        r.anonymised_on
        """

    /// A request's letters, oldest first (`LETTERS`).
    public func letters(ref: String, scope: String? = nil) async throws -> [LetterView] {
        let rows = try await pool.withConnection { connection in
            try connection.query(
                """
                SELECT r.id AS request_id, \(unescaped: LetterStore.columns)
                FROM requests r LEFT JOIN letters l ON l.request_id = r.id
                WHERE r.ref = \(ref) AND foiflow_sees(\(scope)::text, r.team) ORDER BY l.id
                """
            ).rows
        }
        guard !rows.isEmpty else { throw WorkflowError.notFound("no request \(ref)") }
        return try rows.filter { try $0.decode(Int?.self, "id") != nil }.map(LetterStore.view(from:))
    }

    /// One letter with its whole text (`LETTER`).
    public func letter(id: Int, scope: String? = nil) async throws -> LetterView {
        let row = try await pool.withConnection { connection in
            try connection.query(
                """
                SELECT \(unescaped: LetterStore.columns) FROM letters l JOIN requests r ON r.id = l.request_id
                WHERE l.id = \(id) AND foiflow_sees(\(scope)::text, r.team)
                """
            ).first
        }
        guard let row else { throw WorkflowError.notFound("no letter \(id)") }
        return try LetterStore.view(from: row)
    }

    static func view(from row: PostgresRow) throws -> LetterView {
        var view = LetterView(
            id: try row.decode(Int.self, "id"), ref: try row.decode(String.self, "ref"), template: try row.decode(String.self, "template"),
            channel: try row.decode(String.self, "channel"), status: try row.decode(String.self, "status"),
            created: try row.decode(Date.self, "created_at"), sent: try row.decode(Date?.self, "sent_at"),
            subject: try row.decode(String.self, "subject"), recipient: try row.decode(String?.self, "recipient"),
            body: try row.decode(String.self, "body"), taskNote: try row.decode(String?.self, "task_note"))
        // The request's personal data was removed: the letter's type, channel, status and dates stay.
        if let removed = try row.decode(CivilDate?.self, "anonymised_on") {
            view.subject = "(removed)"
            view.body = "The text of this letter was removed on \(removed) with the request's personal data."
        }
        return view
    }
}
