import Dates
import Deadlines
import LineProtocol

/// `WORKDAY IS|ADD|BETWEEN` and `DEADLINE`, over the database's calendars.
enum CalendarCommands {
    static func workday(_ request: RequestLine, _ context: ServerContext) async throws -> Reply {
        let usage = "WORKDAY IS <date> | WORKDAY ADD <date> <n> | WORKDAY BETWEEN <date> <date>, each [calendar=C]"
        guard let verb = request.positional.first?.uppercased() else {
            throw ProtocolError(.badArgument, "missing sub-command; usage: \(usage)")
        }
        let args = Arguments(request, usage: usage)
        try args.onlyNamed(["calendar"])
        let calendarID = try calendar(args["calendar"]) ?? .uk
        let calendar = try await context.calendars.current()[calendarID]
        do {
            switch verb {
            case "IS":
                let values = try Arguments(request, usage: "WORKDAY IS <date> [calendar=C]").positional(2...2)
                let date = try Arguments.date(values[1], "date")
                if let reason = try calendar.reason(date) {
                    return .ok([.init("working", "false"), .init("reason", reason)])
                }
                return .ok([.init("working", "true")])
            case "ADD":
                let values = try Arguments(request, usage: "WORKDAY ADD <date> <n> [calendar=C]").positional(3...3)
                let date = try Arguments.date(values[1], "date")
                let n = try Arguments.integer(values[2], "n")
                return .ok([.init("date", try calendar.addWorkingDays(date, n).description)])
            case "BETWEEN":
                let values = try Arguments(request, usage: "WORKDAY BETWEEN <date> <date> [calendar=C]").positional(3...3)
                let from = try Arguments.date(values[1], "first date")
                let to = try Arguments.date(values[2], "second date")
                return .ok([.init("days", String(try calendar.workingDaysBetween(from, to)))])
            default:
                throw ProtocolError(.badArgument, "unknown sub-command \(Reply.encodeValue(verb)); usage: \(usage)")
            }
        } catch let error as CalendarError {
            throw ProtocolError(.badArgument, error.description)
        }
    }

    static func deadline(_ request: RequestLine, _ context: ServerContext) async throws -> Reply {
        let args = Arguments(request, usage: "DEADLINE <kind> received=<date> [calendar=C]")
        let values = try args.positional(1...1)
        try args.onlyNamed(["received", "calendar"])
        guard let kind = RequestKind(name: values[0]) else {
            throw ProtocolError(.badArgument, "unknown kind \(Reply.encodeValue(values[0])); kinds: \(RequestKind.names)")
        }
        let received = try Arguments.date(try args.required("received"), "received")
        let calendarID = try calendar(args["calendar"])
        let calculator = DeadlineCalculator(calendars: try await context.calendars.current(), authority: context.authority)
        do {
            let deadline = try calculator.deadline(kind: kind, start: received, calendar: calendarID)
            return .ok([.init("due", deadline.due.description), .init("max_due", deadline.maxDue.description)])
        } catch {
            throw ProtocolError(.badArgument, "received=\(received): \(error.described(countingFrom: received))")
        }
    }

    private static func calendar(_ name: String?) throws(ProtocolError) -> CalendarID? {
        guard let name else { return nil }
        guard let id = CalendarID(rawValue: name.lowercased()) else {
            throw ProtocolError(.badArgument, "unknown calendar \(Reply.encodeValue(name)); calendars: \(CalendarID.names)")
        }
        return id
    }
}
