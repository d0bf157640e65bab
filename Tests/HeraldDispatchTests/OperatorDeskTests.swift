import Foundation
import HeraldCore
import HeraldDispatch
import HeraldStore
import HeraldTestSupport
import Testing

/// The one implementation of cancel, retry and status that `herald cancel|retry|status` and the API call.
@Suite("Operator desk", .hangGuard)
struct OperatorDeskTests {
    @Test func cancelTakesABroadcastOrAMessageIdAndSaysWhatItCouldNotDo() async throws {
        let harness = try DispatchHarness(channels: [ScriptedChannel(name: "outbox")])
        let desk = OperatorDesk(store: harness.store, configuration: harness.configuration, clock: harness.clock)
        let broadcast = try await harness.broadcast(DispatchHarness.apology, recipients: [harness.recipient("a"), harness.recipient("b")])
        let single = try await harness.intake.send(DispatchHarness.apology, to: harness.recipient("c"))

        #expect(try await desk.cancel(single.id, reason: "r") == .message(id: single.id))
        await #expect(throws: OperatorError.notCancellable(single.id, state: .cancelled)) { _ = try await desk.cancel(single.id, reason: "r") }
        await #expect(throws: OperatorError.notFound(broadcast.id, kinds: [.message])) {
            _ = try await desk.cancel(broadcast.id, reason: "r", kinds: [.message])
        }
        #expect(try await desk.cancel(broadcast.id, reason: "r") == .notice(id: broadcast.id, messages: 2))
        await #expect(throws: OperatorError.notFound("nope", kinds: [.notice, .message])) { _ = try await desk.cancel("nope", reason: "r") }

        #expect(try await desk.retry(messageIDs: [single.id]) == [single.id], "a cancelled message can be queued again")
        #expect(try await harness.store.state(ofMessage: single.id) == .queued)
    }

    @Test func statusCountsABroadcastOrTheWholeQueueWithEveryConfiguredChannel() async throws {
        let harness = try DispatchHarness(channels: [ScriptedChannel(name: "outbox"), ScriptedChannel(name: "hooks", kind: .webhook)])
        let desk = OperatorDesk(store: harness.store, configuration: harness.configuration, clock: harness.clock)
        let broadcast = try await harness.broadcast(DispatchHarness.apology, recipients: [harness.recipient("a"), harness.recipient("b")])
        _ = try await harness.intake.send(DispatchHarness.apology, to: harness.recipient("c"))

        let one = try await desk.status(broadcast: broadcast.id)
        #expect(one.counts.total == 2 && one.counts[.queued] == 2 && one.channels == nil)
        let queue = try await desk.status(broadcast: nil)
        #expect(queue.counts.total == 3)
        #expect(queue.channels?.map(\.name) == ["outbox", "hooks"], "every configured channel, in configuration order, before any attempt")
        #expect(queue.channels?.map(\.kind) == [.outbox, .webhook])
        #expect(queue.channels?.allSatisfy { $0.circuit == .closed } == true)
        await #expect(throws: OperatorError.notFound("bc_nope", kinds: [.notice])) { _ = try await desk.status(broadcast: "bc_nope") }
    }
}
