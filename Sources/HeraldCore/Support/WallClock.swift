import Foundation

/// The time source of everything that waits or stamps: workers, retries, leases and schedules.
/// Production uses `SystemWallClock`; tests pass a manual clock and move time themselves.
public protocol WallClock: Sendable {
    /// The current time.
    func now() -> Date
    /// Suspends for `duration` (tests may return when they advance time).
    func sleep(for duration: Duration) async throws
}

/// The real clock.
public struct SystemWallClock: WallClock {
    public init() {}
    public func now() -> Date { Date() }
    public func sleep(for duration: Duration) async throws { try await Task.sleep(for: duration) }
}
