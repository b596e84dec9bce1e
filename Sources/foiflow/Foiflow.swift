import ArgumentParser
import Foundation
import LineProtocol
import Server
import Store

/// The `foiflow` command.
@main
struct Foiflow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "foiflow",
        abstract: "FOI, EIR and subject-access request workflow server.",
        discussion: """
            The database is named by DATABASE_URL (a libpq connection string or URI) or --database-url; the usual PG* variables also work.

            Exit codes: 0 ok, 1 failure, 2 usage error or bad input, 3 not found, 4 conflict (stale version, duplicate), 5 database unavailable, 6 denied (role), 7 not allowed in the request's current state.

            Example:
              DATABASE_URL=postgresql://localhost/foiflow foiflow migrate
            """,
        version: FoiflowVersion.current,
        subcommands: [
            Migrate.self, Serve.self, UserCommand.self, RequestCommand.self, RiskCommand.self, ExplainCommand.self, LettersCommand.self,
            LetterCommand.self, CommitmentCommand.self, DeadlineCommand.self, GroundsCommand.self, StatsCommand.self,
            ImportCommand.self, PolicyCommand.self, RetentionCommand.self, EraseCommand.self, AuditCommand.self, RequesterCommand.self,
            SearchCommand.self, CostCommand.self, UnitCommand.self,
            HolidaysCommand.self,
            EscalateCommand.self, NotifyCommand.self,
        ]
    )

    /// Runs the command, mapping every failure to one line on stderr and a documented exit code.
    static func main() async {
        do {
            var command = try parseAsRoot()
            // A moved date is announced on every command, and refused unless asked for twice.
            switch LondonDate.processOverride {
            case .none: break
            case .honoured: FileHandle.standardError.write(Data(((LondonDate.processOverride.notice ?? "") + "\n").utf8))
            case .refused(let why): throw CLIError(why, code: .badArgument)
            }
            if var async = command as? any AsyncParsableCommand {
                try await async.run()
            } else {
                try command.run()
            }
        } catch {
            if let failure = CLIError.from(error) {
                FileHandle.standardError.write(Data("foiflow: \(failure.message)\n".utf8))
                Foundation.exit(failure.code.exitStatus)
            }
            if exitCode(for: error) == .validationFailure {
                // Usage errors: ArgumentParser's message and help hint, exit 2.
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(ErrorCode.badArgument.exitStatus)
            }
            exit(withError: error)
        }
    }
}
