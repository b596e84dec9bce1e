import ArgumentParser
import ChildProcess
import Foundation
import Mail
import Store

#if canImport(Glibc)
import Glibc
#endif

/// `foiflow notify`: deliver the notification outbox.
struct NotifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notify",
        abstract: "Deliver pending notifications from the outbox.",
        discussion: """
            Each message goes to a delivery command, given the message on its standard input and the one recipient's address as its last argument (default `/usr/sbin/sendmail -i --` when it exists), or else is written as an .eml file to the spool folder. Recipients are never read back from the message's headers, so a command with sendmail's `-t` is refused. Two notifiers never send the same message. A command that does not finish within --command-timeout is stopped and counts as failed. A failure is retried later with back-off (1, 2, 4 ... minutes) and given up after 6 attempts; one that cannot succeed (no address, or the command exits 65, 67 or 68: bad data, unknown user, unknown host) is given up at once. Each failure's reason is printed on stderr.

            Example (cron, every few minutes):
              foiflow notify --command "/usr/sbin/sendmail -i --"
            """)

    @OptionGroup var database: DatabaseOptions
    @Flag(help: "List what is due; send nothing.") var dryRun = false
    @Option(
        help: ArgumentHelp(
            "Delivery command, given the message on stdin and the recipient as its last argument (default: $FOIFLOW_NOTIFY_COMMAND, else /usr/sbin/sendmail -i -- if present).",
            valueName: "command"))
    var command: String?
    @Option(help: ArgumentHelp("Seconds a delivery command may run before it is stopped and counted as failed (1 to 3600).", valueName: "seconds"))
    var commandTimeout: Int = 30
    @Option(help: ArgumentHelp("Folder for .eml files when there is no command (default: $FOIFLOW_SPOOL, else ./spool).", valueName: "dir"))
    var spool: String?
    @Option(help: ArgumentHelp("Sender address (default: $FOIFLOW_MAIL_FROM, else foiflow@localhost).", valueName: "address"))
    var from: String?
    @OptionGroup var output: FormatOption<ReportForms>
    @OptionGroup var metrics: TextfileMetricsOptions

    func validate() throws {
        guard (1...3600).contains(commandTimeout) else { throw ValidationError("--command-timeout must be 1 to 3600 seconds") }
        if let command, let problem = Mail.problem(command: command) { throw ValidationError("--command \(problem)") }
        if let from, let problem = EmailAddress.problem(from, localDomain: true) { throw ValidationError("--from \(problem)") }
    }

    func run() async throws {
        let started = Date()
        let env = ProcessInfo.processInfo.environment
        let senderText = from ?? env["FOIFLOW_MAIL_FROM"].flatMap { $0.isEmpty ? nil : $0 } ?? "foiflow@localhost"
        guard let sender = EmailAddress(senderText, localDomain: true) else {
            throw CLIError("FOIFLOW_MAIL_FROM \(EmailAddress.problem(senderText, localDomain: true) ?? "is not an address")", code: .badArgument)
        }
        let configured = command ?? env["FOIFLOW_NOTIFY_COMMAND"].flatMap { $0.isEmpty ? nil : $0 }
        if let configured, let problem = Mail.problem(command: configured) { throw CLIError("FOIFLOW_NOTIFY_COMMAND \(problem)", code: .badArgument) }
        let sendmail = FileManager.default.isExecutableFile(atPath: "/usr/sbin/sendmail") ? "/usr/sbin/sendmail -i --" : nil
        let deliveryCommand = configured ?? sendmail
        let spoolFolder = URL(fileURLWithPath: spool ?? env["FOIFLOW_SPOOL"] ?? "spool")
        let timeout = Duration.seconds(commandTimeout)

        // Mail comes from the unit, by name (`foiflow unit set --name`).
        let senderName = try await database.makePool().using { try await UnitStore(pool: $0).current().name } ?? "foiflow"
        if dryRun {
            let pending = try await database.makePool().using { try await NotificationStore(pool: $0).pending() }
            for n in pending { print("would send \(n.label) \(n.ref) \(n.level)") }
            print("notify (dry run): \(pending.count) due")
            return
        }
        // A delivery command that exits before reading its input must not kill foiflow.
        signal(SIGPIPE, SIG_IGN)
        let target = deliveryCommand.map { "command \($0)" } ?? "spool \(spoolFolder.path)"
        let report = try await database.makePool().using { pool in
            try await NotificationStore(pool: pool).deliverAll { notification in
                // The store has checked the address already; a row that fails here is permanent too.
                guard let to = notification.email.flatMap({ EmailAddress($0) }) else {
                    throw DeliveryError("the recipient's address is not one e-mail address", permanent: true)
                }
                let message = Mail.message(notification, to: to, from: sender, fromName: senderName)
                if let deliveryCommand {
                    try await Mail.run(deliveryCommand, recipient: to, input: message.rendered, timeout: timeout)
                } else {
                    try Mail.spool(message.rendered, id: notification.id, folder: spoolFolder)
                }
            }
        }
        try metrics.write(
            job: "notify", started: started,
            gauges: [
                ("delivered", [], Double(report.delivered.count)), ("retrying", [], Double(report.retrying.count)),
                ("given_up", [], Double(report.gaveUp.count)),
            ])
        for failure in report.retrying {
            FileHandle.standardError.write(Data("foiflow: notification #\(failure.id) failed, to be retried: \(failure.error)\n".utf8))
        }
        for failure in report.gaveUp {
            FileHandle.standardError.write(Data("foiflow: notification #\(failure.id) given up: \(failure.error)\n".utf8))
        }
        switch output.format {
        case .text, .table, .csv:
            print("notify via \(target): delivered=\(report.delivered.count) retrying=\(report.retrying.count) given_up=\(report.gaveUp.count)")
        case .json:
            let object: [String: Any] = [
                "delivered": report.delivered.count, "retrying": report.retrying.map { ["id": $0.id, "error": $0.error] },
                "given_up": report.gaveUp.map { ["id": $0.id, "error": $0.error] },
            ]
            print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
        }
    }
}

/// Building and handing over one e-mail.
enum Mail {
    /// Exit statuses of a delivery command that retrying cannot mend (sysexits.h: EX_DATAERR,
    /// EX_NOUSER, EX_NOHOST).
    static let permanentStatuses: Set<Int32> = [65, 67, 68]

    /// Why `command` cannot be a delivery command, or `nil`: one that reads its recipients from
    /// the headers (sendmail's `-t`, alone or in a cluster such as `-ti`) is refused.
    static func problem(command: String) -> String? {
        let words = command.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard !words.isEmpty else { return "is empty" }
        let readsHeaders = words.dropFirst().contains { word in
            word.count >= 2 && word.count <= 5 && word.hasPrefix("-") && !word.hasPrefix("--") && word.dropFirst().allSatisfy(\.isLetter)
                && word.contains("t")
        }
        return readsHeaders
            ? "must not read recipients from the headers (-t): foiflow gives the recipient as the command's last argument"
            : nil
    }

    static func message(_ n: OutboxMessage, to: EmailAddress, from: EmailAddress, fromName: String) -> MailMessage {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(secondsFromGMT: 0)
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        let domain = from.text.split(separator: "@").last.map(String.init) ?? "localhost"
        return MailMessage(
            from: from, fromName: fromName, to: to, toName: n.recipient, subject: n.subject, date: formatter.string(from: Date()),
            messageID: "foiflow-notification-\(n.id)@\(domain)",
            extraHeaders: [("X-Foiflow-Request", n.ref), ("X-Foiflow-Level", n.level)], body: n.body)
    }

    /// Runs `/bin/sh -c 'command "$@"' notify RECIPIENT` with `input` on stdin. A non-zero exit
    /// is a failure (permanent for `permanentStatuses`); so is a run longer than `timeout`,
    /// which is stopped (SIGTERM, then SIGKILL two seconds later).
    static func run(_ command: String, recipient: EmailAddress, input: String, timeout: Duration) async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command + " \"$@\"", "foiflow-notify", recipient.text]
        let stdin = Pipe()
        process.standardInput = stdin
        process.standardOutput = FileHandle.nullDevice
        let errorFile = FileManager.default.temporaryDirectory.appendingPathComponent("foiflow-notify-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errorFile) }
        process.standardError = try FileHandle(forWritingTo: errorFile)
        try process.run()
        // Written from another thread: a command that never reads must not block us past the timeout.
        let writer = stdin.fileHandleForWriting
        let data = Data(input.utf8)
        Thread.detachNewThread {
            try? writer.write(contentsOf: data)
            try? writer.close()
        }
        // Ended is asked of the kernel: a delivery command that forks a background helper
        // (many sendmails do) leaves Foundation's `isRunning` true until the helper exits.
        guard let ended = try await ChildProcess.wait(for: process, until: .now + timeout, polling: .milliseconds(5)) else {
            process.terminate()
            if try await ChildProcess.wait(for: process, until: .now + .seconds(2), polling: .milliseconds(20)) == nil {
                kill(process.processIdentifier, SIGKILL)
            }
            throw DeliveryError("the delivery command did not finish within \(timeout.components.seconds) s and was stopped")
        }
        let status = ended.status
        guard status == 0 else {
            // The command's own words, without the address (personal data stays out of logs).
            let detail = ((try? String(contentsOf: errorFile, encoding: .utf8)) ?? "")
                .replacingOccurrences(of: recipient.text, with: "<recipient>")
                .unicodeScalars.map { ControlScalar.isControl($0) ? " " : Character($0) }
            let text = String(detail).trimmingCharacters(in: .whitespaces)
            throw DeliveryError(
                "the delivery command exited with \(status)\(text.isEmpty ? "" : ": \(text.prefix(200))")",
                permanent: permanentStatuses.contains(status))
        }
    }

    /// Writes the message to `folder/<id>.eml` (atomically).
    static func spool(_ message: String, id: Int, folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try message.write(to: folder.appendingPathComponent("\(id).eml"), atomically: true, encoding: .utf8)
    }
}
