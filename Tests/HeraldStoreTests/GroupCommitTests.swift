import Dispatch
import HeraldStore
import Synchronization
import Testing

@Suite("Group commit")
struct GroupCommitTests {
    struct Refused: Error {}

    /// Submissions that arrive while a commit runs go into the next one; none is lost or written
    /// twice, and a failure reaches only the submitter whose item failed. With a linger, its timer
    /// (a stand-in clock that ends each linger as soon as it starts) runs on a queue of its own.
    @Test(.timeLimit(.minutes(1)), arguments: [false, true])
    func everySubmissionIsWrittenOnceAndFailsAlone(lingers: Bool) async throws {
        let writer = DispatchQueue(label: "writer")
        let timers = DispatchQueue(label: "timers")
        let timerStarts = Mutex(0)
        let linger = CommitLinger(batch: 8, delay: .seconds(1)) { _, end in
            timerStarts.withLock { $0 += 1 }
            timers.async(execute: end)
        }
        let batches = Mutex<[[Int]]>([])
        let commit = GroupCommit<Int, Void>(
            linger: lingers ? linger : .none,
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
        #expect(written.count < 500, "concurrent submissions share commits")
        #expect(outcomes.filter { !$0.value }.keys.sorted() == Array(stride(from: 0, to: 500, by: 7)))
        if !lingers { #expect(timerStarts.withLock { $0 } == 0) }
    }

    /// A writer that answers for fewer items than it was given fails the rest instead of leaving
    /// them waiting forever.
    @Test(.timeLimit(.minutes(1)))
    func itemsWithoutAResultFail() async throws {
        let commit = GroupCommit<Int, Void>(schedule: { run in run(()) }, write: { _, _ in [] })
        await #expect(throws: GroupCommitError.self) { try await commit.submit(1) }
    }
}
