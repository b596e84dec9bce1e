import NIOConcurrencyHelpers
import NIOCore

/// The end of a connection's pipeline: batches of lines wait here for the connection's
/// loop, which takes them with `next()`.
///
/// It replaces an `AsyncSequence` from NIO, whose iterator runs off the event loop: taking
/// each batch cost two thread switches. Here a batch that is waiting is taken at once, and a
/// loop that waits is resumed by the read that brings the batch.
/// Reading pauses while `highWater` batches wait unanswered (a client that sends without
/// reading its replies), and resumes when they are taken.
///
/// The state is under a lock, and `next()` checks it again in the same critical section in
/// which it starts to wait: the runtime may run `next()` and its wait in different turns of
/// the event loop (an executor hop), and input that ends in between must still wake it.
final class LineInbox: ChannelDuplexHandler, @unchecked Sendable {
    typealias InboundIn = [InboundLine]
    typealias OutboundIn = Any

    /// Batches waiting before reading pauses.
    static let highWater = 8

    private struct State {
        var batches = CircularBuffer<[InboundLine]>()
        var ended = false
        var failure: (any Error)?
        var waiter: CheckedContinuation<[InboundLine]?, any Error>?
        var readHeld = false
    }

    private let state = NIOLockedValueBox(State())
    /// The channel's event loop.
    private let eventLoop: any EventLoop
    /// Set and used only on the channel's event loop.
    private var context: ChannelHandlerContext?

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        end(nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let batch = unwrapInboundIn(data)
        let waiter = state.withLockedValue { state -> CheckedContinuation<[InboundLine]?, any Error>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.batches.append(batch)
            return nil
        }
        waiter?.resume(returning: batch)
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
        let hold = state.withLockedValue { state -> Bool in
            if state.batches.count >= LineInbox.highWater {
                state.readHeld = true
                return true
            }
            return false
        }
        if !hold { context.read() }
    }

    private func end(_ error: (any Error)?) {
        let waiter = state.withLockedValue { state -> CheckedContinuation<[InboundLine]?, any Error>? in
            guard !state.ended else { return nil }
            state.ended = true
            state.failure = error
            defer { state.waiter = nil }
            return state.waiter
        }
        guard let waiter else { return }
        if let error { waiter.resume(throwing: error) } else { waiter.resume(returning: nil) }
    }

    /// A waiting batch (`nil` at the end), or nil after registering `waiter` to be woken.
    /// Under the lock.
    private static func take(
        _ state: inout State, orWait waiter: CheckedContinuation<[InboundLine]?, any Error>?
    ) -> (now: Result<[InboundLine]?, any Error>?, resumeReading: Bool) {
        if let batch = state.batches.popFirst() {
            var resume = false
            if state.readHeld, state.batches.count < LineInbox.highWater {
                state.readHeld = false
                resume = true
            }
            return (.success(batch), resume)
        }
        if state.ended { return (state.failure.map { .failure($0) } ?? .success(nil), false) }
        if let waiter { state.waiter = waiter }
        return (nil, false)
    }

    /// Asks the channel for more input again (on its event loop).
    private func resumeReading() {
        if eventLoop.inEventLoop {
            context?.read()
        } else {
            eventLoop.execute { self.context?.read() }
        }
    }

    /// The next batch of lines; `nil` once input has ended.
    func next() async throws -> [InboundLine]? {
        let (now, resume) = state.withLockedValue { Self.take(&$0, orWait: nil) }
        if resume { resumeReading() }
        if let now { return try now.get() }
        return try await withCheckedThrowingContinuation { continuation in
            // Checked again: input may have arrived or ended since the check above.
            let (now, resume) = state.withLockedValue { Self.take(&$0, orWait: continuation) }
            if resume { resumeReading() }
            if let now { continuation.resume(with: now) }
        }
    }
}
