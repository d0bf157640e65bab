#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOPosix

/// Runs Swift Concurrency's global jobs on NIO's event loops, as the generic executor.
///
/// NIO's own `unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()` runs each
/// job *isolated to the event loop's serial executor*. A task resumed that way is no longer on the
/// generic executor, so its next call into a nonisolated async function (most of Hummingbird, NIO's
/// async channels and Herald) cannot continue in place: the runtime parks the task and enqueues it
/// again, one more trip through the loop's task queue for every such call. In a profile of
/// `POST /v1/messages` that re-enqueueing (`swift_task_switch` → `flagAsAndEnqueueOnExecutor` →
/// `SelectableEventLoop._schedule0` → `runOneTick`) was about 14 % of the event loops' samples.
///
/// This hook does what Swift's own global executor does, `swift_job_run(job, generic)`, on the event
/// loop the job was enqueued from (or any loop, from elsewhere), so a resumed task stays on the
/// thread that does its socket I/O and calls between nonisolated functions stay calls.
enum EventLoopJobs {
    /// `swift_task_enqueueGlobal_hook`'s type: the job, and the runtime's original enqueue function.
    private typealias EnqueueGlobalHook = @convention(thin) (UnownedJob, @convention(thin) (UnownedJob) -> Void) -> Void

    /// Installs the hook; call once, first thing in `main`.
    /// - Returns: `false` when the runtime has no such hook or another one is already installed; jobs
    ///   then run on Swift's own pool, which is slower but equally correct.
    @discardableResult
    static func install() -> Bool {
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "swift_task_enqueueGlobal_hook") else { return false }
        let slot = symbol.assumingMemoryBound(to: UnsafeRawPointer?.self)
        guard slot.pointee == nil else { return false }
        return withUnsafeTemporaryAllocation(of: EnqueueGlobalHook.self, capacity: 1) { hook in
            hook.baseAddress!.initialize(to: { job, _ in
                // `any()` is the current loop when called on one of the group's threads.
                MultiThreadedEventLoopGroup.singleton.any().execute { runJob(job, genericExecutor) }
            })
            hook.baseAddress!.withMemoryRebound(to: UnsafeRawPointer.self, capacity: 1) { slot.pointee = $0.pointee }
            return true
        }
    }
}

/// The runtime's generic executor: a null identity and no implementation (`SerialExecutorRef::generic()`).
private let genericExecutor = unsafeBitCast((0, 0), to: UnownedSerialExecutor.self)

/// The runtime entry point Swift's global executor runs every job through.
@_silgen_name("swift_job_run")
private func runJob(_ job: UnownedJob, _ executor: UnownedSerialExecutor)
