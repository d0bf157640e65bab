import HeraldCore
import NIOCore

/// An async semaphore: at most `limit` holders at once; the rest wait, highest priority first and in
/// arrival order within a priority. One per channel bounds that channel's deliveries in flight to its
/// `connections`, so a critical notice that arrives behind a burst of normal ones takes the next
/// free connection.
actor ConcurrencyLimiter {
    private let limit: Int
    private var holders = 0
    /// Waiters by priority rank, each in arrival order; ring buffers, so waking the first does not shift the rest.
    private var waiters: [Int: CircularBuffer<CheckedContinuation<Void, Never>>] = [:]

    init(limit: Int) {
        precondition(limit > 0, "a limiter needs at least one permit")
        self.limit = limit
    }

    func acquire(_ priority: Priority) async {
        if holders < limit {
            holders += 1
            return
        }
        await withCheckedContinuation { waiters[priority.rank, default: []].append($0) }
    }

    /// How many wait for a permit.
    var waiting: Int { waiters.values.reduce(0) { $0 + $1.count } }

    func release() {
        guard let rank = waiters.filter({ !$0.value.isEmpty }).keys.max() else {
            holders -= 1
            return
        }
        waiters[rank]!.removeFirst().resume()
    }

    /// Runs `body` holding a permit.
    func withPermit<T: Sendable>(_ priority: Priority, _ body: @Sendable () async throws -> T) async rethrows -> T {
        await acquire(priority)
        defer { release() }
        return try await body()
    }
}
