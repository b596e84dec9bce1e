import NIOCore

/// The end of a connection's pipeline: batches of lines wait here for the connection's
/// loop, which runs on the same event loop and takes them with `next()`.
///
/// It replaces an `AsyncSequence` from NIO, whose iterator runs off the event loop: taking
/// each batch cost two thread switches. Here a batch that is waiting is taken at once, and a
/// loop that waits is resumed on its own event loop by the read that brings the batch.
/// Reading pauses while `highWater` batches wait unanswered (a client that sends without
/// reading its replies), and resumes when they are taken.
final class LineInbox: ChannelDuplexHandler, @unchecked Sendable {
    typealias InboundIn = [InboundLine]
    typealias OutboundIn = Any

    /// Batches waiting before reading pauses.
    static let highWater = 8

    // All state is touched only on the channel's event loop.
    private var batches = CircularBuffer<[InboundLine]>()
    private var ended = false
    private var failure: (any Error)?
    private var waiter: CheckedContinuation<[InboundLine]?, any Error>?
    private var context: ChannelHandlerContext?
    private var readHeld = false

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        end(nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let batch = unwrapInboundIn(data)
        if let waiter {
            self.waiter = nil
            waiter.resume(returning: batch)
        } else {
            batches.append(batch)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed { end(nil) }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        end(nil)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        end(error)
        context.close(promise: nil)
    }

    /// Holds the channel's reads while too many batches wait.
    func read(context: ChannelHandlerContext) {
        if batches.count >= LineInbox.highWater {
            readHeld = true
        } else {
            context.read()
        }
    }

    private func end(_ error: (any Error)?) {
        guard !ended else { return }
        ended = true
        failure = error
        if let waiter {
            self.waiter = nil
            if let error { waiter.resume(throwing: error) } else { waiter.resume(returning: nil) }
        }
    }

    /// The next batch of lines; `nil` once input has ended. Call on the channel's event loop.
    func next() async throws -> [InboundLine]? {
        if let batch = batches.popFirst() {
            if readHeld, batches.count < LineInbox.highWater {
                readHeld = false
                context?.read()
            }
            return batch
        }
        if ended {
            if let failure { throw failure }
            return nil
        }
        return try await withCheckedThrowingContinuation { waiter = $0 }
    }
}
