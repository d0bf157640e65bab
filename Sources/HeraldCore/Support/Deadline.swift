import Synchronization

/// Runs an operation against a deadline on a `WallClock`, for answers that must come in time (`/readyz`
/// within 2 s) whatever the operation does: one that ignores cancellation is left to finish on its own.
public enum Deadline {
    /// How the operation ended.
    public enum Outcome: Sendable {
        case finished
        case failed(any Error)
        case timedOut
    }

    /// The operation's outcome, or `.timedOut` once `limit` has passed on `clock` (the operation is then cancelled).
    public static func race(_ limit: Duration, clock: any WallClock, _ operation: @escaping @Sendable () async throws -> Void) async -> Outcome {
        let decided = Mutex<CheckedContinuation<Outcome, Never>?>(nil)
        let decide: @Sendable (Outcome) -> Void = { outcome in decided.withLock { $0.take() }?.resume(returning: outcome) }
        let tasks = Mutex<[Task<Void, Never>]>([])
        let outcome = await withCheckedContinuation { continuation in
            // The continuation is in place before either task can decide.
            decided.withLock { $0 = continuation }
            let work = Task {
                do {
                    try await operation()
                    decide(.finished)
                } catch {
                    decide(.failed(error))
                }
            }
            let timer = Task {
                try? await clock.sleep(for: limit)
                decide(.timedOut)
            }
            tasks.withLock { $0 = [work, timer] }
        }
        for task in tasks.withLock({ $0 }) { task.cancel() }
        return outcome
    }
}
