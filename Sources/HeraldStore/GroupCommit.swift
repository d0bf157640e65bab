import NIOCore
import NIOPosix
import Synchronization

/// Group commit: items submitted while a commit is running are written together by the next one,
/// so concurrent callers share one transaction — and one fsync — instead of queueing for one each.
///
/// Commits run where the store's writer runs (`schedule` hands one to, say, the database's serial
/// writer queue), and a commit that finds more items waiting schedules the next one from there: no
/// task is started and no event loop is woken between commits. Other writers queued meanwhile go
/// first, so a stream of single sends never starves them. Submitting takes a lock, not an actor hop:
/// it runs on every single send.
///
/// A submitter that runs on an event loop (a request's connection) is resumed on that loop, all of a
/// commit's submitters on one loop by one task there: its response is then written without a hop
/// to another thread, and each loop is woken once per commit, not once per send.
public final class GroupCommit<Item: Sendable, Connection>: Sendable {
    /// Runs `commit` on the writer, later, with its connection.
    public typealias Schedule = @Sendable (_ commit: @escaping @Sendable (Connection) -> Void) -> Void
    /// Writes every waiting item and returns a result per item, in order.
    public typealias Write = @Sendable (Connection, [Item]) -> [Result<Void, any Error>]

    private typealias Waiter = CheckedContinuation<Void, any Error>

    private struct State {
        var waiting: [(item: Item, continuation: Waiter, loop: (any EventLoop)?)] = []
        var scheduled = false
    }

    private let schedule: Schedule
    private let write: Write
    private let state = Mutex(State())

    public init(schedule: @escaping Schedule, write: @escaping Write) {
        self.schedule = schedule
        self.write = write
    }

    /// Returns once `item` is committed; throws its own failure or the commit's.
    public func submit(_ item: Item) async throws {
        try await withCheckedThrowingContinuation { continuation in
            let schedules = state.withLock { state in
                state.waiting.append((item, continuation, MultiThreadedEventLoopGroup.currentEventLoop))
                guard !state.scheduled else { return false }
                state.scheduled = true
                return true
            }
            if schedules { schedule(commitWaiting) }
        }
    }

    /// One commit of everything waiting; schedules the next when more arrived meanwhile.
    private func commitWaiting(on connection: Connection) {
        let batch = state.withLock { state in
            let batch = state.waiting
            state.waiting = []
            return batch
        }
        let results = write(connection, batch.map(\.item))
        var onLoops: [ObjectIdentifier: (loop: any EventLoop, waiters: [(Waiter, Result<Void, any Error>)])] = [:]
        for (index, entry) in batch.enumerated() {
            let result = index < results.count ? results[index] : .failure(GroupCommitError.missingResult)
            guard let loop = entry.loop else {
                entry.continuation.resume(with: result)
                continue
            }
            onLoops[ObjectIdentifier(loop), default: (loop, [])].waiters.append((entry.continuation, result))
        }
        for (loop, waiters) in onLoops.values {
            loop.execute { for (continuation, result) in waiters { continuation.resume(with: result) } }
        }
        let more = state.withLock { state in
            state.scheduled = !state.waiting.isEmpty
            return state.scheduled
        }
        if more { schedule(commitWaiting) }
    }
}

/// A group commit's writer returned fewer results than it was given items.
public enum GroupCommitError: Error { case missingResult }
