import ArgumentParser
import Dates
import Deadlines
import Foundation

extension CivilDate: ExpressibleByArgument {
    /// Reads `YYYY-MM-DD`; an impossible date is a usage error.
    public init?(argument: String) {
        self.init(iso: argument)
    }
}

extension Division: ExpressibleByArgument {}
extension CalendarID: ExpressibleByArgument {}
extension RequestKind: ExpressibleByArgument {}

/// `--as`: who a change is recorded against.
struct ActorOptions: ParsableArguments {
    @Option(
        name: .customLong("as"),
        help: ArgumentHelp("Login the change is recorded against (default: $FOIFLOW_USER, else the OS user).", valueName: "login"))
    var login: String?

    /// The user named: `--as`, else `$FOIFLOW_USER` (empty is not a name); nil for the operator.
    var named: String? {
        if let login, !login.isEmpty { return login }
        return ProcessInfo.processInfo.environment["FOIFLOW_USER"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The actor to record: the user named, else `os:<user>`.
    var actor: String {
        if let named { return named }
        let env = ProcessInfo.processInfo.environment
        return "os:" + (env["USER"] ?? env["LOGNAME"] ?? getpwuid(getuid()).flatMap { String(validatingCString: $0.pointee.pw_name) } ?? "unknown")
    }
}

/// `--home-division`: the authority's home division (default calendars per kind).
struct AuthorityOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "The authority's division: england-and-wales, scotland or northern-ireland (default: $FOIFLOW_HOME_DIVISION, else england-and-wales). A Scottish authority answers FOI on the scotland calendar (FOISA).",
            valueName: "division"))
    var homeDivision: Division?

    func validate() throws {
        if homeDivision == nil, let env = ProcessInfo.processInfo.environment["FOIFLOW_HOME_DIVISION"], !env.isEmpty, Division(rawValue: env) == nil {
            throw ValidationError("FOIFLOW_HOME_DIVISION '\(env)' is not one of \(Division.names)")
        }
    }

    var authority: Authority {
        let env = ProcessInfo.processInfo.environment["FOIFLOW_HOME_DIVISION"].flatMap(Division.init(rawValue:))
        return Authority(homeDivision: homeDivision ?? env ?? .englandAndWales)
    }
}
