import Foundation
import HeraldCore
import HeraldDispatch
import HeraldStore
import HeraldTestSupport
import NIOCore
import NIOPosix
import Testing

/// In `herald serve` a broadcast or dry run is asked for by a task on an event loop that also serves
/// HTTP; an audience file that is slow to read (a pipe, a network mount) must block another thread,
/// never that loop.
@Suite("Blocking work stays off the event loops", .hangGuard)
struct BlockingBoundaryTests {
    /// The audience is a named pipe: opening and reading it wait for its writer. The writer opens it
    /// only once the intake has opened it for reading, so at that moment the intake is waiting for
    /// rows; the loop it was started on must still run other work.
    func whileWaitingForTheAudience<Value: Sendable>(_ operation: @escaping @Sendable (NoticeIntake, String) async throws -> Value) async throws -> Value {
        let harness = try DispatchHarness(channels: [ScriptedChannel(name: "outbox")])
        let folder = TemporaryDirectory()
        let pipe = folder.file("audience.csv")
        try #require(mkfifo(pipe, 0o600) == 0)
        let intake = harness.intake
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        async let result = EventLoopExecution.run(on: loop) { try await operation(intake, pipe) }

        let writer = await Self.openForWriting(pipe)
        try #require(writer >= 0)
        let loopAnswered = await Self.runsAJob(loop)
        let rows = "id,email\nu1,u1@example.com\nu2,u2@example.com\n"
        _ = rows.withCString { write(writer, $0, strlen($0)) }
        close(writer)

        #expect(loopAnswered, "the event loop was held while the audience was read")
        return try await result
    }

    /// Whether `loop` runs a job before the test is cancelled (by the suite's time limit): a blocked
    /// loop fails the test, and the rows are still written so that nothing is left hanging.
    static func runsAJob(_ loop: any EventLoop) async -> Bool {
        let (answers, answer) = AsyncStream.makeStream(of: Bool.self)
        loop.execute { answer.yield(true) }
        for await answered in answers { return answered }
        return false
    }

    /// Opens `path` for writing on a thread of its own: for a pipe this waits until a reader opens it.
    static func openForWriting(_ path: String) async -> Int32 {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: open(path, O_WRONLY)) }
        }
    }

    @Test func aDryRunOfAnAudienceFileReadsItOffTheEventLoop() async throws {
        let report = try await whileWaitingForTheAudience { intake, pipe in try await intake.dryRun(DispatchHarness.apology, audienceFile: pipe) }
        #expect(report.total == 2)
    }

    @Test func aBroadcastOfAnAudienceFileReadsItOffTheEventLoop() async throws {
        let receipt = try await whileWaitingForTheAudience { intake, pipe in try await intake.broadcast(DispatchHarness.apology, audienceFile: pipe) }
        #expect(receipt.total == 2)
    }
}
