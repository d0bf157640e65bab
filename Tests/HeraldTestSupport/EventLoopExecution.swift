import NIOCore
import NIOPosix

/// Where code runs, as `herald serve` runs it: there every task's jobs run on NIO's event loops (its
/// `EventLoopJobs` hook), the loops that also serve HTTP and deliveries, so anything that blocks
/// inside a task stalls every connection on that loop. Tests run tasks on Swift's own pool unless
/// they ask for this.
public enum EventLoopExecution {
    /// Runs `body` in a task whose jobs run on `loop` (by default one of NIO's event loops).
    public static func run<Value: Sendable>(
        on loop: any EventLoop = MultiThreadedEventLoopGroup.singleton.next(), _ body: () async throws -> sending Value
    ) async throws -> sending Value {
        try await withTaskExecutorPreference(LoopTaskExecutor(loop: loop), operation: body)
    }

    /// Whether the calling thread is one of NIO's event loops.
    public static var isOnEventLoop: Bool { MultiThreadedEventLoopGroup.currentEventLoop != nil }
}

/// A task executor that runs each job on one event loop.
private final class LoopTaskExecutor: TaskExecutor {
    let loop: any EventLoop

    init(loop: any EventLoop) {
        self.loop = loop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        loop.execute { job.runSynchronously(on: executor) }
    }
}
