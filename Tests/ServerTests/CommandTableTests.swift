import LineProtocol
import Testing

@testable import Server

/// The command table is the one place that says what each command needs.
@Suite struct CommandTableTests {
    @Test func onlyTheProtocolsOpenCommandsRunBeforeAuth() {
        let open = CommandTable.commands.filter { !$0.needsAuth }.map(\.name)
        #expect(Set(open) == ["PING", "HELLO", "HELP", "AUTH", "QUIT"])
        #expect(Set(CommandTable.commands.map(\.name)).count == CommandTable.commands.count)
        for spec in CommandTable.commands { #expect(spec.name == spec.name.uppercased()) }
    }

    @Test func repliesBeforeADatabaseCommandAreNotHeldBack() {
        for word in ["CREATE", "SHOW", "HISTORY", "ACT", "LIST", "RISK", "AUTH"] {
            #expect(CommandTable.mayWait(.request(RequestLine(command: word))), "\(word)")
        }
        for word in ["PING", "HELLO", "QUIT", "WORKDAY", "DEADLINE", "NOPE"] {
            #expect(!CommandTable.mayWait(.request(RequestLine(command: word))), "\(word)")
        }
        #expect(!CommandTable.mayWait(.blank))
    }
}
