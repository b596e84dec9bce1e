import Dates
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import Postgres
import ServiceLifecycle

/// `GET /metrics` (Prometheus text format) and `GET /healthz` (200 while PostgreSQL answers,
/// 503 when it does not) on a small HTTP listener beside the line protocol, with swift-nio's
/// own HTTP/1.1 codec. Off unless `serve --metrics-listen` is given.
public final class MetricsServer: Service, Sendable {
    public let host: String
    public let port: Int
    let metrics: ServerMetrics
    let pool: PostgresPool
    let lineServer: LineServer?
    let today: @Sendable () -> CivilDate
    let logger: Logger

    /// How long a connection may take to send a whole request, or wait between requests,
    /// before it is closed.
    let readTimeout: TimeAmount
    /// The most connections open at once; one more is closed as soon as it is accepted.
    let maxConnections: Int
    private let open = NIOLockedValueBox(0)

    public static let defaultReadTimeout = TimeAmount.seconds(10)
    public static let defaultMaxConnections = 64

    public init(
        host: String, port: Int, metrics: ServerMetrics, pool: PostgresPool, lineServer: LineServer?,
        today: @escaping @Sendable () -> CivilDate, logger: Logger, readTimeout: TimeAmount = MetricsServer.defaultReadTimeout,
        maxConnections: Int = MetricsServer.defaultMaxConnections
    ) {
        self.readTimeout = readTimeout
        self.maxConnections = maxConnections
        self.host = host
        self.port = port
        self.metrics = metrics
        self.pool = pool
        self.lineServer = lineServer
        self.today = today
        self.logger = logger
    }

    public func run() async throws {
        let responder = Responder(metrics: metrics, pool: pool, lineServer: lineServer, today: today)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { [open, maxConnections, readTimeout] channel in
                // Past the cap a connection is closed at once: held-open sockets cannot pile up.
                let admitted = open.withLockedValue { count in
                    guard count < maxConnections else { return false }
                    count += 1
                    return true
                }
                guard admitted else { return channel.close() }
                channel.closeFuture.whenComplete { _ in open.withLockedValue { $0 -= 1 } }
                return channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(MetricsHTTPHandler(responder: responder, readTimeout: readTimeout))
                }
            }
            .bind(host: host, port: port).get()
        logger.info("metrics listening", metadata: ["address": "\(host):\(port)"])
        try await withGracefulShutdownHandler {
            try await channel.closeFuture.get()
        } onGracefulShutdown: {
            channel.close(promise: nil)
        }
    }

    /// Answers one request: what, with which status and content type.
    struct Responder: Sendable {
        let metrics: ServerMetrics
        let pool: PostgresPool
        let lineServer: LineServer?
        let today: @Sendable () -> CivilDate

        func respond(method: HTTPMethod, path: String) async -> (HTTPResponseStatus, String, [UInt8]) {
            guard method == .GET || method == .HEAD else { return (.methodNotAllowed, "text/plain", Array("GET only\n".utf8)) }
            switch path.split(separator: "?").first.map(String.init) ?? path {
            case "/metrics":
                await metrics.refresh(server: lineServer, pool: pool, today: today())
                return (.ok, "text/plain; version=0.0.4; charset=utf-8", metrics.exposition())
            case "/healthz":
                do {
                    _ = try await pool.query("SELECT 1 AS ok")
                    return (.ok, "text/plain", Array("ok\n".utf8))
                } catch {
                    return (.serviceUnavailable, "text/plain", Array("database unavailable\n".utf8))
                }
            default:
                return (.notFound, "text/plain", Array("not found: /metrics and /healthz are here\n".utf8))
            }
        }
    }
}

/// One HTTP/1.1 connection: each request answered by the `Responder`, in order.
final class MetricsHTTPHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let responder: MetricsServer.Responder
    let readTimeout: TimeAmount
    private let head = NIOLockedValueBox<HTTPRequestHead?>(nil)
    /// Closes the connection unless a whole request arrives in time.
    private let deadline = NIOLockedValueBox<Scheduled<Void>?>(nil)

    init(responder: MetricsServer.Responder, readTimeout: TimeAmount) {
        self.responder = responder
        self.readTimeout = readTimeout
    }

    /// Starts the clock for the next request: it must arrive whole within `readTimeout`.
    private func armDeadline(_ context: ChannelHandlerContext) {
        let channel = context.channel
        let task = context.eventLoop.scheduleTask(in: readTimeout) { channel.close(promise: nil) }
        deadline.withLockedValue {
            $0?.cancel()
            $0 = task
        }
    }

    func handlerAdded(context: ChannelHandlerContext) {
        armDeadline(context)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline.withLockedValue { $0?.cancel() }
    }

    /// A request the HTTP codec could not read (a header too large, a malformed line) has had
    /// its 400: the connection is closed, never left open.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let request):
            head.withLockedValue { $0 = request }
        case .body:
            break
        case .end:
            deadline.withLockedValue { $0?.cancel() }
            guard let request = head.withLockedValue({ $0 }) else { return }
            let responder = self.responder
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            let promise = context.eventLoop.makePromise(of: (HTTPResponseStatus, String, [UInt8]).self)
            promise.completeWithTask { await responder.respond(method: request.method, path: request.uri) }
            promise.futureResult.whenSuccess { status, type, body in
                let context = bound.value
                var headers = HTTPHeaders()
                headers.add(name: "Content-Type", value: type)
                headers.add(name: "Content-Length", value: String(body.count))
                headers.add(name: "Connection", value: request.isKeepAlive ? "keep-alive" : "close")
                let responseHead = HTTPResponseHead(version: request.version, status: status, headers: headers)
                context.write(self.wrapOutboundOut(.head(responseHead)), promise: nil)
                if request.method != .HEAD {
                    context.write(self.wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
                }
                let done = context.writeAndFlush(self.wrapOutboundOut(.end(nil)))
                if request.isKeepAlive {
                    self.armDeadline(context)
                } else {
                    done.whenComplete { _ in bound.value.close(promise: nil) }
                }
            }
        }
    }
}
