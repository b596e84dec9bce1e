import ArgumentParser
import Foundation
import Store

/// `foiflow notify`: deliver the notification outbox.
struct NotifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notify",
        abstract: "Deliver pending notifications from the outbox.",
        discussion: """
            Each message goes to a delivery command on its standard input (default `sendmail -t`
            when /usr/sbin/sendmail exists), or else is written as an .eml file to the spool
            folder. Two notifiers never send the same message. A failure is retried later with
            back-off (1, 2, 4 ... minutes); after 6 attempts it is given up and reported.

            Example (cron, every few minutes):
              foiflow notify --command "sendmail -t"
            """)

    @OptionGroup var database: DatabaseOptions
    @Flag(help: "List what is due; send nothing.") var dryRun = false
    @Option(
        help: ArgumentHelp(
            "Delivery command, given the message on stdin (default: $FOIFLOW_NOTIFY_COMMAND, else sendmail -t if present).", valueName: "command"))
    var command: String?
    @Option(help: ArgumentHelp("Folder for .eml files when there is no command (default: $FOIFLOW_SPOOL, else ./spool).", valueName: "dir"))
    var spool: String?
    @Option(help: ArgumentHelp("Sender address (default: $FOIFLOW_MAIL_FROM, else foiflow@localhost).", valueName: "address"))
    var from: String?
    @Option(help: "text or json.") var format: OutputFormat = .text
    @OptionGroup var metrics: TextfileMetricsOptions

    func validate() throws {
        try format.require([.text, .json])
    }

    func run() async throws {
        let started = Date()
        let env = ProcessInfo.processInfo.environment
        let sender = from ?? env["FOIFLOW_MAIL_FROM"] ?? "foiflow@localhost"
        let configured = command ?? env["FOIFLOW_NOTIFY_COMMAND"].flatMap { $0.isEmpty ? nil : $0 }
        let sendmail = FileManager.default.isExecutableFile(atPath: "/usr/sbin/sendmail") ? "/usr/sbin/sendmail -t" : nil
        let deliveryCommand = configured ?? sendmail
        let spoolFolder = URL(fileURLWithPath: spool ?? env["FOIFLOW_SPOOL"] ?? "spool")

        if dryRun {
            let pending = try await database.makePool().using { try await NotificationStore(pool: $0).pending() }
            for n in pending { print("would send #\(n.id) \(n.ref) \(n.level) to \(n.recipient ?? "nobody") <\(n.email ?? "no address")>") }
            print("notify (dry run): \(pending.count) due")
            return
        }
        let target = deliveryCommand.map { "command \($0)" } ?? "spool \(spoolFolder.path)"
        let report = try await database.makePool().using { pool in
            try await NotificationStore(pool: pool).deliverAll { notification in
                let message = Mail.message(notification, from: sender)
                if let deliveryCommand {
                    try await Mail.run(deliveryCommand, input: message)
                } else {
                    try Mail.spool(message, id: notification.id, folder: spoolFolder)
                }
            }
        }
        try metrics.write(
            job: "notify", started: started,
            gauges: [
                ("delivered", [], Double(report.delivered.count)), ("retrying", [], Double(report.retrying.count)),
                ("given_up", [], Double(report.gaveUp.count)),
            ])
        for failure in report.gaveUp {
            FileHandle.standardError.write(Data("foiflow: notification #\(failure.id) given up: \(failure.error)\n".utf8))
        }
        switch format {
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
    static func message(_ n: OutboxMessage, from: String) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(secondsFromGMT: 0)
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        func header(_ text: String) -> String { text.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ") }
        return """
            From: foiflow <\(header(from))>
            To: \(header(n.recipient ?? "")) <\(header(n.email ?? ""))>
            Subject: \(header(n.subject))
            Date: \(formatter.string(from: Date()))
            Message-ID: <foiflow-notification-\(n.id)@\(header(from.split(separator: "@").last.map(String.init) ?? "localhost"))>
            X-Foiflow-Request: \(n.ref)
            X-Foiflow-Level: \(n.level)

            \(n.body)
            """
    }

    /// Runs `/bin/sh -c command` with `input` on stdin; a non-zero exit or a 60 s wait is a failure.
    static func run(_ command: String, input: String) async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        let stdin = Pipe()
        process.standardInput = stdin
        process.standardOutput = FileHandle.nullDevice
        let errorFile = FileManager.default.temporaryDirectory.appendingPathComponent("foiflow-notify-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errorFile) }
        process.standardError = try FileHandle(forWritingTo: errorFile)
        try process.run()
        try? stdin.fileHandleForWriting.write(contentsOf: Data(input.utf8))
        try? stdin.fileHandleForWriting.close()
        let deadline = ContinuousClock.now + .seconds(60)
        while process.isRunning {
            if ContinuousClock.now > deadline {
                process.terminate()
                throw DeliveryError("'\(command)' did not finish within 60 s")
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        guard process.terminationStatus == 0 else {
            let detail = ((try? String(contentsOf: errorFile, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            throw DeliveryError("'\(command)' exited with \(process.terminationStatus)\(detail.isEmpty ? "" : ": \(detail.prefix(200))")")
        }
    }

    /// Writes the message to `folder/<id>.eml` (atomically).
    static func spool(_ message: String, id: Int, folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try message.write(to: folder.appendingPathComponent("\(id).eml"), atomically: true, encoding: .utf8)
    }
}
