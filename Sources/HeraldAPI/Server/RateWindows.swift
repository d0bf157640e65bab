import Foundation
import HeraldCore
import Synchronization

/// Counts requests per key (a client address, an e-mail address) in fixed windows: at most `limit`
/// per `window`. Keys are forgotten when their window ends, and all at once past 10,000, so memory
/// stays bounded whatever callers send. Time comes from the injected clock.
final class RateWindows: Sendable {
    let limit: Int
    let window: TimeInterval
    private let clock: any WallClock
    private let entries = Mutex<[String: (start: Date, count: Int)]>([:])

    init(limit: Int, window: TimeInterval, clock: any WallClock) {
        self.limit = limit
        self.window = window
        self.clock = clock
    }

    /// Counts one request for `key`. - Returns: `nil` when it is within the limit, else the seconds until the key's window ends.
    func admit(_ key: String) -> Int? {
        let now = clock.now()
        return entries.withLock { windows -> Int? in
            if windows.count >= 10_000 { windows = windows.filter { now.timeIntervalSince($0.value.start) < window } }
            if windows.count >= 10_000 { windows.removeAll(keepingCapacity: true) }
            var entry: (start: Date, count: Int) = windows[key].flatMap { now.timeIntervalSince($0.start) < window ? $0 : nil } ?? (now, 0)
            entry.count += 1
            windows[key] = entry
            guard entry.count > limit else { return nil }
            return max(1, Int((window - now.timeIntervalSince(entry.start)).rounded(.up)))
        }
    }

    /// The 429 for a key over its limit.
    func problem(retryAfter: Int, per what: String) -> Problem {
        Problem(
            status: .tooManyRequests, slug: "rate-limited", title: "Too many requests",
            detail: "at most \(limit) requests per \(Int(window)) s from one \(what); try again in \(retryAfter) s",
            headers: [.retryAfter: String(retryAfter)]
        )
    }
}
