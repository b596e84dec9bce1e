import NIOCore
import NIOEmbedded
import TestSupport
import Testing

@testable import Server

/// Stopping a server while its clients are still connected, many times over: each stop
/// must finish. (A connection whose input ended while its loop was starting to wait for
/// the next line used never to be woken, and the server's drain then waited for ever.)
@Suite(.requiresDatabase) struct ServerLifecycleTests {
    @Test(arguments: 0..<8) func aServerStopsWithItsClientStillConnected(_ run: Int) async throws {
        let harness = try await ServerHarness(today: "2026-11-23")
        let client = try await harness.authenticatedClient(login: "asmith", role: .officer)
        #expect(try await client.call("CREATE foi received=2025-11-03 requester=R").hasPrefix("OK ref=FOI-2025-000001 "))
        for _ in 0..<5 {
            try client.send("SHOW FOI-2025-000001\n")
            #expect(try await client.readReply().status == "OK")
            try client.send("LETTERS FOI-2025-000001\n")
            #expect(try await client.readReply().status.hasPrefix("OK count="))
        }
        try await harness.stop()
        // The server closed the connection when it stopped.
        #expect(try await client.readToEOF() == "")
    }
}

/// `LineInbox` on its own: however the connection's loop and the channel's events
/// interleave, a loop waiting for input is woken by the input or by its end.
/// (A lost wake never arrives; the long bound is for a late one under the whole suite's load.)
@Suite struct LineInboxTests {
    @Test func inputEndingAsTheLoopStartsToWaitWakesIt() async throws {
        var lost = 0
        for _ in 0..<500 {
            let channel = NIOAsyncTestingChannel()
            let inbox = LineInbox(eventLoop: channel.eventLoop)
            try await channel.pipeline.addHandler(inbox)
            // The loop asks for input on another thread while the input ends on the channel's.
            let reader = Task.detached { try await inbox.next() }
            try await channel.testingEventLoop.executeInContext {
                channel.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
            }
            switch await result(of: reader, within: .seconds(60)) {
            case .success(let batch): #expect(batch == nil)
            case .failure(let error): Issue.record("next() threw \(error)")
            case nil: lost += 1
            }
            // Once ended, it stays ended.
            #expect(try await inbox.next() == nil)
        }
        #expect(lost == 0, "\(lost) waits were never woken")
    }

    @Test func aBatchArrivingAsTheLoopStartsToWaitIsDeliveredOnceInOrder() async throws {
        for round in 0..<300 {
            let channel = NIOAsyncTestingChannel()
            let inbox = LineInbox(eventLoop: channel.eventLoop)
            try await channel.pipeline.addHandler(inbox)
            let reader = Task.detached { () -> [[InboundLine]] in
                var seen: [[InboundLine]] = []
                while let batch = try await inbox.next() { seen.append(batch) }
                return seen
            }
            let sent = (0..<3).map { [InboundLine.line(ByteBuffer(string: "PING \(round) \($0)"))] }
            for batch in sent {
                try await channel.testingEventLoop.executeInContext { channel.pipeline.fireChannelRead(batch) }
            }
            try await channel.testingEventLoop.executeInContext {
                channel.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
            }
            switch await result(of: reader, within: .seconds(60)) {
            case .success(let seen): #expect(seen == sent)
            case .failure(let error): Issue.record("next() threw \(error)")
            case nil: Issue.record("the reader was never woken (round \(round))")
            }
        }
    }
}
