import Dates
import Deadlines
import Postgres
import Workflow

/// One request of an s.12 estimate's set (`COST`).
public struct CostLine: Sendable, Equatable {
    public var ref: String
    public var received: CivilDate
    /// Its own estimate, in quarter hours.
    public var quarters: Int

    public var fields: [Field] {
        [
            Field("ref", ref), Field("received", received.description), Field("hours", CostLimit.hours(quarters: quarters)),
            Field("amount", CostLimit.pounds(quarters: quarters)),
        ]
    }
    public static let columns = ["ref", "received", "hours", "amount"]
}

/// A request's s.12 estimate with the requests aggregated with it, against the limit.
public struct CostReport: Sendable, Equatable {
    public var lines: [CostLine]
    /// The appropriate limit, in pounds.
    public var limit: Int
    public var window: AggregationWindow

    public var quarters: Int { lines.reduce(0) { $0 + $1.quarters } }
    /// Whether the estimate exceeds the limit (FOIA s.12(1): "would exceed").
    public var exceeded: Bool { quarters * CostLimit.poundsPerHour > limit * 4 }

    public var fields: [Field] {
        [
            Field("hours", CostLimit.hours(quarters: quarters)), Field("amount", CostLimit.pounds(quarters: quarters)),
            Field("limit", String(limit)), Field("exceeded", exceeded ? "true" : "false"), Field("window_from", window.from.description),
            Field("window_to", window.to.description),
        ]
    }
}

extension RequestStore {
    /// The s.12 estimate of `ref` and of the requests aggregated with it (its last `aggregate`).
    public func cost(ref: String, scope: String?) async throws -> CostReport {
        let rows = try await pool.query(
            """
            WITH me AS (SELECT id, calendar FROM requests WHERE ref = \(ref) AND foiflow_sees(\(scope)::text, team))
            SELECT r.ref, r.received, foiflow_estimate_quarters(r.id) AS quarters, (SELECT calendar FROM me) AS calendar,
                   (SELECT value FROM policy WHERE key = 'cost-limit') AS cost_limit
            FROM requests r
            WHERE r.id = (SELECT id FROM me) OR r.ref = ANY (foiflow_aggregated_with((SELECT id FROM me)))
            ORDER BY r.received, r.ref
            """
        ).rows
        guard let first = rows.first else { throw WorkflowError.notFound("no request \(ref)") }
        let lines = try rows.map {
            CostLine(
                ref: try $0.decode(String.self, "ref"), received: try $0.decode(CivilDate.self, "received"),
                quarters: try $0.decode(Int.self, "quarters"))
        }
        let calendar = try await calendars.current()[try first.decode(CalendarID.self, "calendar")]
        let window = try AggregationWindow(earliest: lines[0].received, calendar: calendar)
        let limit = PolicyStore.costLimit(try first.decode(String?.self, "cost_limit"))
        return CostReport(lines: lines, limit: limit, window: window)
    }

    /// Every request `refs` names can join `id`'s s.12 set (reg 5): one the actor may see, a
    /// FOI request, from the same requester or linked in-concert with one of the set, and all
    /// received within one window of 60 consecutive working days on the request's calendar.
    func checkAggregation(id: Int, ref: String, with refs: [String], scope: String?) async throws {
        let rows = try await pool.query(
            """
            SELECT r.id, r.ref, r.kind, r.received, r.calendar, r.requester_id, foiflow_sees(\(scope)::text, r.team) AS visible,
                   EXISTS (
                       SELECT 1 FROM request_links l JOIN requests o ON o.id = CASE WHEN l.low_id = r.id THEN l.high_id ELSE l.low_id END
                       WHERE (l.low_id = r.id OR l.high_id = r.id) AND l.type = \(LinkType.inConcert.rawValue)
                         AND (o.id = \(id) OR o.ref = ANY (\(refs)::text[]))) AS in_concert
            FROM requests r WHERE r.id = \(id) OR r.ref = ANY (\(refs)::text[])
            """
        ).rows
        struct Member {
            var ref: String, kind: RequestKind, received: CivilDate, calendar: CalendarID, requester: Int?, visible: Bool, inConcert: Bool
        }
        var byRef: [String: Member] = [:]
        var own: Member?
        for row in rows {
            let member = Member(
                ref: try row.decode(String.self, "ref"), kind: try row.decode(RequestKind.self, "kind"),
                received: try row.decode(CivilDate.self, "received"), calendar: try row.decode(CalendarID.self, "calendar"),
                requester: try row.decode(Int?.self, "requester_id"), visible: try row.decode(Bool.self, "visible"),
                inConcert: try row.decode(Bool.self, "in_concert"))
            if try row.decode(Int.self, "id") == id { own = member } else { byRef[member.ref] = member }
        }
        guard let own else { throw WorkflowError.notFound("no request \(ref)") }
        var members: [Member] = []
        for other in refs {
            guard other != ref else { throw WorkflowError.badArgument("with= names \(ref) itself") }
            guard let member = byRef[other], member.visible else { throw WorkflowError.notFound("with=\(other): no such request") }
            guard member.kind == .foi else {
                throw WorkflowError.badArgument("\(other) is not a FOI request (the cost limit and aggregation are FOI's, s.12)")
            }
            let sameRequester = own.requester != nil && member.requester == own.requester
            guard sameRequester || member.inConcert else {
                throw WorkflowError.badArgument(
                    "\(other) is not from the same requester as \(ref) nor linked in-concert with the set (ACT \(other) link to=\(ref) type=in-concert)"
                )
            }
            members.append(member)
        }
        let calendar = try await calendars.current()[own.calendar]
        let earliest = ([own] + members).map(\.received).min() ?? own.received
        let window = try AggregationWindow(earliest: earliest, calendar: calendar)
        for member in [own] + members where !window.contains(member.received) {
            throw WorkflowError.badArgument(
                "\(member.ref) was received on \(member.received), outside one window of \(CostLimit.windowWorkingDays) working days (\(window.from) to \(window.to) on \(own.calendar.rawValue))"
            )
        }
    }
}
