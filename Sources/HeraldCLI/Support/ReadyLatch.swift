import Synchronization

/// Opens once, for every task waiting on it: `serve`'s HTTP server opens it when it is listening
/// (or when it failed to), and the worker and scheduler wait for it before they start.
final class ReadyLatch: Sendable {
    private enum State {
        case waiting([Int: CheckedContinuation<Bool, Never>], next: Int)
        case opened(Bool)
    }

    private let state = Mutex(State.waiting([:], next: 0))

    /// Opens the latch with `outcome`; later calls change nothing.
    func open(_ outcome: Bool) {
        let waiters = state.withLock { state -> [CheckedContinuation<Bool, Never>] in
            guard case .waiting(let waiters, _) = state else { return [] }
            state = .opened(outcome)
            return Array(waiters.values)
        }
        for waiter in waiters { waiter.resume(returning: outcome) }
    }

    /// Waits until the latch opens; `false` when the task is cancelled first.
    func wait() async -> Bool {
        let ticket = Mutex<Int?>(nil)
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let opened = state.withLock { state -> Bool? in
                    switch state {
                    case .opened(let outcome):
                        return outcome
                    case .waiting(var waiters, let next):
                        if Task.isCancelled { return false }
                        waiters[next] = continuation
                        ticket.withLock { $0 = next }
                        state = .waiting(waiters, next: next + 1)
                        return nil
                    }
                }
                if let opened { continuation.resume(returning: opened) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Bool, Never>? in
                guard case .waiting(var waiters, let next) = state, let id = ticket.withLock({ $0 }) else { return nil }
                let waiter = waiters.removeValue(forKey: id)
                state = .waiting(waiters, next: next)
                return waiter
            }
            waiter?.resume(returning: false)
        }
    }
}
