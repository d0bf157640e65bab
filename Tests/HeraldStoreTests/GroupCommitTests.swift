import Dispatch
@testable import HeraldSQLite
import HeraldTestSupport
import Synchronization
import Testing

@Suite("Group commit", .hangGuard)
struct GroupCommitTests {
    struct Refused: Error {}

    /// Submissions that arrive while a commit runs go into the next one; none is lost or written
    /// twice, and a failure reaches only the submitter whose item failed.
    @Test
    func everySubmissionIsWrittenOnceAndFailsAlone() async throws {
        let writer = DispatchQueue(label: "writer")
        let batches = Mutex<[[Int]]>([])
        let commit = GroupCommit<Int, Void>(
            schedule: { run in writer.async { run(()) } },
            write: { _, items in
                batches.withLock { $0.append(items) }
                return items.map { $0 % 7 == 0 ? .failure(Refused()) : .success(()) }
            }
        )
        let outcomes = try await withThrowingTaskGroup(of: (Int, Bool).self) { group in
            for item in 0..<500 {
                group.addTask {
                    do {
                        try await commit.submit(item)
                        return (item, true)
                    } catch is Refused {
                        return (item, false)
                    }
                }
            }
            return try await group.reduce(into: [Int: Bool]()) { $0[$1.0] = $1.1 }
        }
        let written = batches.withLock { $0 }
        #expect(written.flatMap { $0 }.sorted() == Array(0..<500))
        // That submissions share commits depends on how the threads interleave here, so it is not
        // asserted here; aCommitUnderLoadWaitsForTheBatchOrItsTimer proves it step by step.
        #expect(outcomes.filter { !$0.value }.keys.sorted() == Array(stride(from: 0, to: 500, by: 7)))
    }

    /// A writer that answers for fewer items than it was given fails the rest instead of leaving
    /// them waiting forever.
    @Test
    func itemsWithoutAResultFail() async throws {
        let commit = GroupCommit<Int, Void>(schedule: { run in run(()) }, write: { _, _ in [] })
        await #expect(throws: GroupCommitError.self) { try await commit.submit(1) }
    }

    /// Under load a commit waits: a send that arrived while the last commit ran is written once the
    /// batch is full or the linger's timer ends, and a timer that ends a linger already over starts
    /// nothing. The writer, the timer and the moment a write ends are the test's.
    @Test
    func aCommitUnderLoadWaitsForTheBatchOrItsTimer() async throws {
        let (commits, scheduleCommit) = AsyncStream<@Sendable () -> Void>.makeStream()
        let (timers, startTimer) = AsyncStream<@Sendable () -> Void>.makeStream()
        let (writes, wrote) = AsyncStream<[Int]>.makeStream()
        let schedules = Mutex(0)
        // A write of 1 or of 5 alone holds its commit open until the test lets it end.
        let heldWriteMayEnd = DispatchSemaphore(value: 0)
        let commit = GroupCommit<Int, Void>(
            linger: CommitLinger(batch: 3, delay: .seconds(1)) { _, end in startTimer.yield(end) },
            schedule: { run in
                schedules.withLock { $0 += 1 }
                scheduleCommit.yield { run(()) }
            },
            write: { _, items in
                wrote.yield(items.sorted())
                if items == [1] || items == [5] { heldWriteMayEnd.wait() }
                return items.map { _ in .success(()) }
            }
        )
        var scheduled = commits.makeAsyncIterator()
        var lingers = timers.makeAsyncIterator()
        var written = writes.makeAsyncIterator()

        // An idle store commits the first send at once; a second arrives while that commit writes.
        async let first: Void = commit.submit(1)
        let firstCommit = try #require(await scheduled.next())
        DispatchQueue.global().async { firstCommit() }
        #expect(await written.next() == [1])
        async let second: Void = commit.submit(2)
        while commit.waitingCount < 1 { await Task.yield() }
        heldWriteMayEnd.signal()
        try await first

        // The second lingers; a third does not fill the batch of three, a fourth does.
        let firstTimer = try #require(await lingers.next())
        async let third: Void = commit.submit(3)
        while commit.waitingCount < 2 { await Task.yield() }
        #expect(schedules.withLock { $0 } == 1, "two of three do not start a commit")
        async let fourth: Void = commit.submit(4)
        let fullBatch = try #require(await scheduled.next())
        fullBatch()
        #expect(await written.next() == [2, 3, 4])
        _ = try await (second, third, fourth)

        // The first linger's timer ends after its batch went: it schedules nothing.
        firstTimer()
        #expect(schedules.withLock { $0 } == 2)

        // A linger that no batch fills ends with its timer.
        async let fifth: Void = commit.submit(5)
        let fifthCommit = try #require(await scheduled.next())
        DispatchQueue.global().async { fifthCommit() }
        #expect(await written.next() == [5])
        async let sixth: Void = commit.submit(6)
        while commit.waitingCount < 1 { await Task.yield() }
        heldWriteMayEnd.signal()
        try await fifth
        let secondTimer = try #require(await lingers.next())
        #expect(schedules.withLock { $0 } == 3, "the sixth waits for the timer")
        secondTimer()
        let timedCommit = try #require(await scheduled.next())
        timedCommit()
        #expect(await written.next() == [6])
        try await sixth
    }
}
