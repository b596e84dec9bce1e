/// What a caller wants to do, for the one permission check every command goes through.
public enum Operation: Sendable, Equatable {
    /// SHOW, HISTORY, LIST, RISK, DEADLINE, WORKDAY.
    case read
    /// CREATE.
    case create
    /// ACT with this action.
    case act(Action)
    /// Assign a request to someone other than oneself.
    case assignToOthers
    /// Users and tokens.
    case manageUsers
    /// The holiday calendar.
    case manageHolidays
    /// The nightly jobs (escalation, lapsing, notifications).
    case runJobs
    /// The authority's configuration (published service commitments).
    case configure
}

extension Role {
    /// Whether this role may do `operation`.
    public func may(_ operation: Operation) -> Bool {
        switch (self, operation) {
        // Who may take an action is the transition table's to say, for every role.
        case (_, .act(let action)): return TransitionTable.spec(for: action).roles.contains(self)
        case (.admin, _): return true
        case (_, .read): return true
        case (.auditor, _): return false
        case (.system, .runJobs): return true
        case (.system, _): return false
        case (.officer, .create), (.manager, .create): return true
        case (.manager, .assignToOthers): return true
        case (.officer, .assignToOthers): return false
        case (.officer, _), (.manager, _): return false
        }
    }
}

/// The single permission check.
public enum Permissions {
    /// Throws `WorkflowError.denied` unless `role` may do `operation`.
    public static func require(_ role: Role, _ operation: Operation) throws(WorkflowError) {
        guard role.may(operation) else {
            throw .denied("role \(role.rawValue) may not \(describe(operation))")
        }
    }

    static func describe(_ operation: Operation) -> String {
        switch operation {
        case .read: "read requests"
        case .create: "create requests"
        case .act(let action): "take the action '\(action.rawValue)' on a request"
        case .assignToOthers: "assign a request to someone else"
        case .manageUsers: "manage users"
        case .manageHolidays: "change the holiday calendar"
        case .runJobs: "run the nightly jobs"
        case .configure: "change the authority's configuration"
        }
    }
}
