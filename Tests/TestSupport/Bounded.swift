import NIOConcurrencyHelpers

/// Waits (polling, without blocking a thread) for `task` to finish, at most `limit`; nil if it
/// did not. For waits that a bug could make endless: the test fails instead of the run hanging
/// (the task itself is left behind).
public func result<T: Sendable>(of task: Task<T, any Error>, within limit: Duration) async -> Result<T, any Error>? {
    let box = NIOLockedValueBox<Result<T, any Error>?>(nil)
    Task {
        let result = await task.result
        box.withLockedValue { $0 = result }
    }
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
        if let result = box.withLockedValue({ $0 }) { return result }
        try? await Task.sleep(for: .milliseconds(2))
    }
    return box.withLockedValue { $0 }
}
