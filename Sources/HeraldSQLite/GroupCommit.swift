import HeraldStore
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
/// Under load a commit lingers for a moment to take more items with it (see ``CommitLinger``); the
/// linger's timer, not the writer, then schedules it.
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
        var timing: CommitTiming
    }

    private let schedule: Schedule
    private let write: Write
    private let linger: CommitLinger
    private let state: Mutex<State>

    public init(linger: CommitLinger = .none, schedule: @escaping Schedule, write: @escaping Write) {
        self.schedule = schedule
        self.write = write
        self.linger = linger
        state = Mutex(State(timing: CommitTiming(batch: linger.batch)))
    }

    /// Returns once `item` is committed; throws its own failure or the commit's.
    public func submit(_ item: Item) async throws {
        try await withCheckedThrowingContinuation { continuation in
            let step = state.withLock { state in
                state.waiting.append((item, continuation, MultiThreadedEventLoopGroup.currentEventLoop))
                return state.timing.arrived(waiting: state.waiting.count)
            }
            take(step)
        }
    }

    /// Items waiting for a commit; tests watch it to order their steps.
    var waitingCount: Int { state.withLock { $0.waiting.count } }

    private func take(_ step: CommitTiming.Step) {
        switch step {
        case .none:
            break
        case .commit:
            schedule(commitWaiting)
        case .linger(let generation):
            linger.timer(linger.delay) { [self] in
                take(state.withLock { $0.timing.lingerEnded(generation) })
            }
        }
    }

    /// One commit of everything waiting; schedules or lingers for the next when more arrived meanwhile.
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
        take(state.withLock { $0.timing.committed(waiting: $0.waiting.count) })
    }
}

/// A group commit's writer returned fewer results than it was given items.
public enum GroupCommitError: Error { case missingResult }

/// How long a commit that follows a busy one waits for more items.
public struct CommitLinger: Sendable {
    /// Waiting items that end the wait early.
    public var batch: Int
    /// The longest wait.
    public var delay: Duration
    /// Calls its closure once the duration has passed.
    public var timer: @Sendable (Duration, @escaping @Sendable () -> Void) -> Void

    /// Never waits: every commit takes what is waiting when the previous one ends.
    public static let none = CommitLinger(batch: 1, delay: .zero) { _, action in action() }

    /// Waits on a timer of one of NIO's event loops: the current one when started on a loop.
    public static func onEventLoops(batch: Int, delay: Duration) -> CommitLinger {
        CommitLinger(batch: batch, delay: delay) { delay, action in
            MultiThreadedEventLoopGroup.singleton.any().scheduleTask(in: TimeAmount(delay), action)
        }
    }

    public init(batch: Int, delay: Duration, timer: @escaping @Sendable (Duration, @escaping @Sendable () -> Void) -> Void) {
        self.batch = batch
        self.delay = delay
        self.timer = timer
    }
}
