import NIOCore

/// Groups the lines of one socket read into a single message, passed on when the read
/// completes, so a pipelining client's commands are answered with one write and one
/// flush per read rather than one per line. Lines still pending when input ends are
/// passed on before the end is.
final class LineBatcher: ChannelInboundHandler {
    typealias InboundIn = InboundLine
    typealias InboundOut = [InboundLine]

    private var pending: [InboundLine] = []

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        pending.append(unwrapInboundIn(data))
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        forward(context)
        context.fireChannelReadComplete()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed { forward(context) }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        forward(context)
        context.fireChannelInactive()
    }

    private func forward(_ context: ChannelHandlerContext) {
        guard !pending.isEmpty else { return }
        let batch = pending
        pending.removeAll(keepingCapacity: true)
        context.fireChannelRead(wrapInboundOut(batch))
    }
}
