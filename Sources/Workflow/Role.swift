/// Who a user is to the system, which decides what they may do.
public enum Role: String, Sendable, CaseIterable, Codable {
    /// Works cases: create, read, act (not approve, reopen or extend).
    case officer
    /// An officer who may also approve, return, reopen, extend and assign to others.
    case manager
    /// Everything, plus users and holidays.
    case admin
    /// Read only.
    case auditor
    /// The nightly jobs.
    case system

    /// The roles that may lead (be assigned) a request.
    public static let leads: [Role] = [.officer, .manager]

    /// Parses a role name, case-insensitively.
    public init?(name: String) {
        self.init(rawValue: name.lowercased())
    }

    /// The names accepted, for error messages.
    public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
