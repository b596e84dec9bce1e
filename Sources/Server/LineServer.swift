import LineProtocol
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ServiceLifecycle

/// The line-protocol TCP server (`foiflow serve`), as a lifecycle `Service`.
///
/// Each connection is served by its own task: lines are framed by
/// `LineFrameDecoder`, handled one at a time in order by a `Session`, and
/// answered in order. On graceful shutdown it stops accepting, lets every
/// connection finish the command it is running, closes them and returns.
public final class LineServer: Service, Sendable {
    public let configuration: ServerConfiguration
    let context: ServerContext
    private let group: any EventLoopGroup
    private let state = NIOLockedValueBox(State())
    private let bound = NIOLockedValueBox<BoundState>(.notYet([]))

    private struct State {
        var connections: [UInt64: any Channel] = [:]
        /// Connections open per remote IP address.
        var perAddress: [String: Int] = [:]
        var nextID: UInt64 = 0
        var draining = false
    }

    private enum BoundState {
        case notYet([CheckedContinuation<Int, any Error>])
        case port(Int)
        case failed(any Error)
    }

    public init(configuration: ServerConfiguration, context: ServerContext, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.configuration = configuration
        self.context = context
        self.group = group
    }

    /// Client connections open now (for metrics).
    public var connectionCount: Int { state.withLockedValue { $0.connections.count } }

    /// The port the server listens on, once it does (useful with port 0).
    public func boundPort() async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            let result = bound.withLockedValue { state -> Result<Int, any Error>? in
                switch state {
                case .notYet(var waiting):
                    waiting.append(continuation)
                    state = .notYet(waiting)
                    return nil
                case .port(let port): return .success(port)
                case .failed(let error): return .failure(error)
                }
            }
            if let result { continuation.resume(with: result) }
        }
    }

    private func setBound(_ result: Result<Int, any Error>) {
        let waiting = bound.withLockedValue { state -> [CheckedContinuation<Int, any Error>] in
            guard case .notYet(let waiting) = state else { return [] }
            switch result {
            case .success(let port): state = .port(port)
            case .failure(let error): state = .failed(error)
            }
            return waiting
        }
        waiting.forEach { $0.resume(with: result) }
    }

    public func run() async throws {
        let maxLine = configuration.maxLineLength
        let idle = configuration.idleTimeout
        let lineTimeout = configuration.lineTimeout
        let serverChannel: NIOAsyncChannel<AcceptedConnection, Never>
        do {
            serverChannel = try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 256)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.allowRemoteHalfClosure, value: true)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .bind(host: configuration.host, port: configuration.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let idleNanos = Int64(idle.components.seconds) * 1_000_000_000 + idle.components.attoseconds / 1_000_000_000
                        try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: .nanoseconds(idleNanos)))
                        try channel.pipeline.syncOperations.addHandler(IdleCloser())
                        try channel.pipeline.syncOperations.addHandler(LineDeadline(timeout: lineTimeout))
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineFrameDecoder(maxLength: maxLine)))
                        try channel.pipeline.syncOperations.addHandler(LineBatcher())
                        let inbox = LineInbox(eventLoop: channel.eventLoop)
                        try channel.pipeline.syncOperations.addHandler(inbox)
                        return AcceptedConnection(channel: channel, inbox: inbox)
                    }
                }
        } catch {
            setBound(.failure(error))
            throw error
        }
        setBound(.success(serverChannel.channel.localAddress?.port ?? configuration.port))
        context.logger.info(
            "listening", metadata: ["address": "\(configuration.host):\(serverChannel.channel.localAddress?.port ?? configuration.port)"])

        // Revocations reach running sessions through the credentials listener.
        let listener = context.credentials.listener(url: context.pool.configuration.url)
        listener.start()
        do {
            try await withGracefulShutdownHandler {
                try await withThrowingDiscardingTaskGroup { group in
                    try await serverChannel.executeThenClose { inbound in
                        for try await connection in inbound {
                            group.addTask { await self.serve(connection) }
                        }
                    }
                }
            } onGracefulShutdown: {
                self.drain(serverChannel.channel)
            }
        } catch {
            await listener.stop()
            throw error
        }
        await listener.stop()
        context.logger.info("stopped")
    }

    /// Stops accepting and asks every connection to finish: their input is
    /// closed, so each ends after the line it is handling.
    private func drain(_ serverChannel: any Channel) {
        let channels = state.withLockedValue { state -> [any Channel] in
            state.draining = true
            return Array(state.connections.values)
        }
        context.logger.info("draining", metadata: ["connections": "\(channels.count)"])
        serverChannel.close(promise: nil)
        for channel in channels {
            channel.close(mode: .input, promise: nil)
        }
    }

    private func serve(_ connection: AcceptedConnection) async {
        let channel = connection.channel
        let address = channel.remoteAddress?.ipAddress ?? "?"
        let perIP = configuration.maxConnectionsPerIP
        let admitted = state.withLockedValue { state -> Result<UInt64, ProtocolError> in
            guard !state.draining, state.connections.count < configuration.maxConnections else {
                return .failure(ProtocolError(.busy, "too many connections; retry later"))
            }
            guard state.perAddress[address, default: 0] < perIP else {
                return .failure(ProtocolError(.busy, "too many connections from your address (at most \(perIP)); retry later"))
            }
            state.nextID += 1
            state.connections[state.nextID] = channel
            state.perAddress[address, default: 0] += 1
            return .success(state.nextID)
        }
        guard case .success(let id) = admitted else {
            if case .failure(let error) = admitted {
                channel.writeAndFlush(ByteBuffer(string: Reply.error(error).encoded())).whenComplete { _ in channel.close(promise: nil) }
            }
            return
        }
        defer {
            state.withLockedValue { state in
                state.connections.removeValue(forKey: id)
                state.perAddress[address, default: 1] -= 1
                if state.perAddress[address] == 0 { state.perAddress.removeValue(forKey: address) }
            }
        }
        let remote = channel.remoteAddress.map { "\($0)" } ?? "?"
        context.logger.info("connection opened", metadata: ["connection": "\(id)", "remote": "\(remote)"])
        do {
            // The connection's loop runs on its own event loop (an actor with that executor):
            // lines and database results resume there, not on the cooperative pool.
            // The task prefers the event loop too, so continuations resumed from other threads
            // come straight back to it (see EventLoopTaskExecutor).
            try await withTaskExecutorPreference(EventLoopTaskExecutor(eventLoop: channel.eventLoop)) {
                try await ConnectionLoop(eventLoop: channel.eventLoop)
                    .run(
                        connection, context: context, connectionID: id, maxLineLength: configuration.maxLineLength,
                        authTimeout: configuration.authTimeout)
            }
        } catch {
            context.logger.debug("connection error", metadata: ["connection": "\(id)", "error": "\(error)"])
        }
        context.logger.info("connection closed", metadata: ["connection": "\(id)"])
    }
}

/// An accepted connection: its channel and the end of its pipeline, where its lines wait.
struct AcceptedConnection: Sendable {
    let channel: any Channel
    let inbox: LineInbox
}

/// Serves one connection, isolated to that connection's event loop.
actor ConnectionLoop {
    let eventLoop: any EventLoop

    nonisolated var unownedExecutor: UnownedSerialExecutor { eventLoop.executor.asUnownedSerialExecutor() }

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    /// Serves the connection until its input ends, then closes it.
    func run(
        _ connection: AcceptedConnection, context: ServerContext, connectionID: UInt64, maxLineLength: Int,
        authTimeout: Duration
    ) async throws {
        let session = Session(context: context, connectionID: connectionID)
        // A connection that has not authenticated in time is told so and closed.
        let channel = connection.channel
        let authNanos = Int64(authTimeout.components.seconds) * 1_000_000_000 + authTimeout.components.attoseconds / 1_000_000_000
        let authDeadline: Scheduled<Void>? = channel.eventLoop.scheduleTask(in: .nanoseconds(authNanos)) {
            let reply = Reply.error(.authRequired, "no AUTH within \(authTimeout); closing").encoded()
            channel.writeAndFlush(ByteBuffer(string: reply)).whenComplete { _ in channel.close(promise: nil) }
        }
        defer { authDeadline?.cancel() }
        let output = Output(channel: channel)
        do {
            try await serveLines(connection.inbox, output, session: session, maxLineLength: maxLineLength, authDeadline: authDeadline)
        } catch {
            channel.close(promise: nil)
            throw error
        }
        output.finish()
    }

    /// Writes replies straight to the channel from its own event loop.
    struct Output {
        let channel: any Channel

        /// Sends `buffer`; when the socket is backed up (a client not reading), waits until it is written.
        func write(_ buffer: ByteBuffer) async throws {
            if channel.isWritable {
                channel.writeAndFlush(buffer, promise: nil)
            } else {
                try await channel.writeAndFlush(buffer).get()
            }
        }

        /// Closes the connection once what was written has gone.
        func finish() {
            let channel = self.channel
            channel.writeAndFlush(ByteBuffer()).whenComplete { _ in channel.close(promise: nil) }
        }
    }

    /// Reads batches of lines, answers each in order, writes a batch's replies together.
    private func serveLines(
        _ inbox: LineInbox, _ outbound: Output, session: Session, maxLineLength: Int, authDeadline: Scheduled<Void>?
    ) async throws {
        var authenticated = false
        var replies = ByteBuffer()
        reading: while let batch = try await inbox.next() {
            for item in batch {
                let parsed: ParsedLine
                switch item {
                case .tooLong:
                    parsed = .invalid(tag: nil, ProtocolError(.lineTooLong, "the line exceeds \(maxLineLength) bytes"))
                case .line(let buffer):
                    parsed = RequestLine.parse(buffer.readableBytesView)
                }
                // Replies already made go out before a command that waits on the database.
                let spec = CommandTable.spec(for: parsed)
                if replies.readableBytes > 0, spec?.touchesDatabase == true {
                    try await outbound.write(replies)
                    replies.clear()
                }
                let answer: (reply: Reply, tag: String?, after: Session.After)
                switch session.answerAtOnce(parsed, spec: spec) {
                case .blank: continue
                case .answered(let now): answer = now
                case .mustAwait:
                    guard let later = await session.handle(parsed, spec: spec) else { continue }
                    answer = later
                }
                replies.writeString(answer.reply.encoded(tag: answer.tag))
                if !authenticated, session.user != nil {
                    authenticated = true
                    authDeadline?.cancel()
                }
                if case .close = answer.after { break reading }
                if replies.readableBytes >= 1 << 16 {
                    try await outbound.write(replies)
                    replies.clear()
                }
            }
            if replies.readableBytes > 0 {
                try await outbound.write(replies)
                replies.clear()
            }
        }
        if replies.readableBytes > 0 { try await outbound.write(replies) }
    }
}

/// Closes a connection whose current line has not ended within `timeout` of its first byte:
/// a slow sender (a byte a second) cannot hold a connection slot for ever. The idle timer is
/// reset by any byte; this one only by a line's end.
final class LineDeadline: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    let timeout: TimeAmount
    /// Set while a line is unfinished (used only on the channel's event loop).
    private var deadline: Scheduled<Void>?

    init(timeout: Duration) {
        self.timeout = .nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        let endsLine = buffer.readableBytesView.last == UInt8(ascii: "\n")
        if endsLine {
            deadline?.cancel()
            deadline = nil
        } else if deadline == nil, buffer.readableBytes > 0 {
            let channel = context.channel
            let limit = Duration.nanoseconds(timeout.nanoseconds)
            deadline = context.eventLoop.scheduleTask(in: timeout) {
                let reply = Reply.error(.badFormat, "a line took longer than \(limit) to arrive; closing").encoded()
                channel.writeAndFlush(ByteBuffer(string: reply)).whenComplete { _ in channel.close(promise: nil) }
            }
        }
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        context.fireChannelInactive()
    }
}

/// Closes a connection that has been idle for the configured time.
final class IdleCloser: ChannelInboundHandler, Sendable {
    typealias InboundIn = NIOAny

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }
}
