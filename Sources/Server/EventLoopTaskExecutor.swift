import NIOCore

/// A task executor that runs jobs on one event loop.
///
/// A connection's task prefers it, so work that the runtime would otherwise resume on the
/// cooperative pool (a continuation resumed by the database reactor, which the runtime first
/// hands to a generic executor before hopping to the connection's actor) resumes on the
/// connection's own event loop: one thread wake-up per answer instead of two.
final class EventLoopTaskExecutor: TaskExecutor {
    let eventLoop: any EventLoop

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        eventLoop.execute { job.runSynchronously(on: executor) }
    }
}
