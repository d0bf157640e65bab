import NIOCore

/// An async semaphore: at most `limit` holders at once, the rest wait in order.
/// One per channel bounds that channel's deliveries in flight to its `connections`.
actor ConcurrencyLimiter {
    private let limit: Int
    private var holders = 0
    /// In arrival order; a ring buffer, so waking the first does not shift the rest.
    private var waiters = CircularBuffer<CheckedContinuation<Void, Never>>()

    init(limit: Int) {
        precondition(limit > 0, "a limiter needs at least one permit")
        self.limit = limit
    }

    func acquire() async {
        if holders < limit {
            holders += 1
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    func release() {
        if waiters.isEmpty {
            holders -= 1
        } else {
            waiters.removeFirst().resume()
        }
    }

    /// Runs `body` holding a permit.
    func withPermit<T: Sendable>(_ body: @Sendable () async throws -> T) async rethrows -> T {
        await acquire()
        defer { release() }
        return try await body()
    }
}
