import Foundation
import HeraldCore
import HeraldDispatch
import HeraldStore
import HeraldTestSupport
import Testing

/// The one implementation of cancel and retry that `herald cancel|retry` and the API call.
@Suite("Operator desk", .hangGuard)
struct OperatorDeskTests {
    @Test func cancelTakesABroadcastOrAMessageIdAndSaysWhatItCouldNotDo() async throws {
        let harness = try DispatchHarness(channels: [ScriptedChannel(name: "outbox")])
        let desk = OperatorDesk(store: harness.store, retry: harness.configuration.retry, clock: harness.clock)
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
}
