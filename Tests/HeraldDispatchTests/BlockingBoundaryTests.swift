import Foundation
import HeraldCore
import HeraldDispatch
import HeraldStore
import HeraldTestSupport
import Synchronization
import Testing

/// In `herald serve` a dry run is asked for by a task on an event loop that also serves HTTP; the
/// audience it reads (a segment page by page, a file) must be read on the blocking pool instead.
@Suite("Blocking work stays off the event loops", .hangGuard)
struct BlockingBoundaryTests {
    /// A directory whose streams note, for each read, whether it ran on an event loop.
    final class WatchedDirectory: NoticeQueue, RecipientDirectory {
        let base = MemoryMessageStore()
        let readsOnEventLoop = Mutex<[Bool]>([])

        struct Stream: RecipientStream {
            var base: any RecipientStream
            let directory: WatchedDirectory

            mutating func next() throws -> (line: Int, recipient: Recipient)? {
                directory.readsOnEventLoop.withLock { $0.append(EventLoopExecution.isOnEventLoop) }
                return try base.next()
            }
        }

        func recipientStream(segment: String?) throws -> any RecipientStream { Stream(base: try base.recipientStream(segment: segment), directory: self) }
        func enqueue(_ notice: Notice, messages: sending some MessageSource) async throws -> Int { try await base.enqueue(notice, messages: messages) }
        func enqueue(_ notice: Notice, message: NewMessage) async throws { try await base.enqueue(notice, message: message) }
        func upsertRecipients(_ source: sending some RecipientSource, now: Date) async throws -> Int { try await base.upsertRecipients(source, now: now) }
        func recipients(segment: String?, after cursor: String?, limit: Int) async throws -> [Recipient] {
            try await base.recipients(segment: segment, after: cursor, limit: limit)
        }
        func recipientCount(segment: String?) async throws -> Int { try await base.recipientCount(segment: segment) }
    }

    @Test func aDryRunOfASegmentReadsItOffTheEventLoop() async throws {
        let harness = try DispatchHarness(channels: [ScriptedChannel(name: "outbox")])
        let directory = WatchedDirectory()
        let people = (0..<3).map { harness.recipient("u\($0)") }
        _ = try await directory.upsertRecipients(ArrayRecipientSource(people), now: harness.clock.now())
        let intake = NoticeIntake(configuration: harness.configuration, templates: harness.templates, store: directory, clock: harness.clock)

        let report = try await EventLoopExecution.run { try await intake.dryRun(DispatchHarness.apology, segment: nil) }

        #expect(report.total == 3)
        let reads = directory.readsOnEventLoop.withLock { $0 }
        #expect(reads.count == 4, "three recipients and the end")
        #expect(!reads.contains(true), "read on an event loop: \(reads)")
    }
}
