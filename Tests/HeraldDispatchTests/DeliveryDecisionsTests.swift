import Foundation
import HeraldCore
@testable import HeraldDispatch
import HeraldStore
import Testing

/// The pipeline's decisions, event by event, with no store, channel or socket: each test feeds what
/// the pipeline would have learned and checks the action it is told to take.
@Suite("Delivery decisions")
struct DeliveryDecisionsTests {
    static let now = Date(timeIntervalSince1970: 1_790_000_000)
    let decisions = DeliveryDecisions(
        policy: RetryPolicy(backoff: [.seconds(5), .seconds(15)], jitter: 0), failoverAfter: .seconds(60),
        planner: RoutePlanner(channels: [
            ChannelSettings(name: "hooks", transport: .webhook(WebhookSettings(url: nil, secret: Secret("whsec_a2V5")))),
            ChannelSettings(name: "files", transport: .outbox(OutboxSettings(path: "out"))),
        ])
    )
    let notice = Notice(
        id: "bc1", kind: .broadcast, template: "outage-apology", vars: [:], route: ["hooks", "files"], priority: .normal,
        expiresAt: now + 3_600, createdAt: now
    )

    func message(webhook: String? = "https://example.com/h", routeIndex: Int = 0, failures: Int = 0, channelSince: Date? = nil) -> QueuedMessage {
        QueuedMessage(
            id: "m1", noticeID: "bc1", recipient: Recipient(id: "u1", contacts: ContactPoints(webhook: webhook)), state: .sending,
            routeIndex: routeIndex, failures: failures, channelSince: channelSince, createdAt: Self.now, expiresAt: Self.now + 3_600
        )
    }

    /// Breakers that admit the channels in `open` never, and note what was given back.
    final class Breakers {
        var open: Set<String> = []
        var released: [String] = []
        var reopensAt: Date?

        var view: DeliveryDecisions.Breakers {
            .init(admit: { !self.open.contains($0) }, release: { self.released.append($0) }, reopensAt: { _ in self.reopensAt })
        }
    }

    func delivery(of start: DeliveryDecisions.Start) -> (RoutePlanner.Target, [Attempt])? {
        guard case .deliver(_, let target, let attempts) = start else { return nil }
        return (target, attempts)
    }

    func finished(of start: DeliveryDecisions.Start) -> DeliveryResult? {
        guard case .finish(let result) = start else { return nil }
        return result
    }

    @Test func aMissingNoticeFailsAndAnExpiredMessageExpiresWithoutAnAttempt() throws {
        let breakers = Breakers()
        let missing = try #require(finished(of: decisions.start(message(), notice: nil, now: Self.now, breakers: breakers.view)))
        #expect(missing.transition == .failed(error: "notice bc1 is missing"))
        var late = message()
        late.lastError = "timeout"
        let expired = try #require(finished(of: decisions.start(late, notice: notice, now: Self.now + 3_600, breakers: breakers.view)))
        #expect(expired.transition == .expired(error: "timeout") && expired.attempts.isEmpty)
    }

    @Test func aReachableChannelIsChosenAndTheOnesPassedOverAreLoggedWithTheirReason() throws {
        let breakers = Breakers()
        let (target, attempts) = try #require(delivery(of: decisions.start(message(webhook: nil), notice: notice, now: Self.now, breakers: breakers.view)))
        #expect(target == RoutePlanner.Target(index: 1, channel: "files"))
        #expect(attempts == [Attempt(at: Self.now, channel: "hooks", outcome: .skipped, error: "no webhook for recipient u1")])
    }

    @Test func everyCircuitOpenWaitsForTheFirstToReopenInsteadOfFailing() throws {
        let breakers = Breakers()
        breakers.open = ["hooks", "files"]
        breakers.reopensAt = Self.now + 15
        let waiting = try #require(finished(of: decisions.start(message(), notice: notice, now: Self.now, breakers: breakers.view)))
        #expect(waiting.attempts.map(\.error) == ["circuit open", "circuit open"])
        guard case .retry(let at, let routeIndex, _, _, let error) = waiting.transition else {
            Issue.record("expected a retry, got \(waiting.transition)")
            return
        }
        #expect(at == Self.now + 15 && routeIndex == 0 && error == "every reachable channel of the route has an open circuit")
    }

    @Test func pastFailoverAfterTheNextChannelIsUsedAndTheFirstChannelsAdmissionIsGivenBack() throws {
        let breakers = Breakers()
        let stuck = message(failures: 3, channelSince: Self.now - 61)
        let (target, attempts) = try #require(delivery(of: decisions.start(stuck, notice: notice, now: Self.now, breakers: breakers.view)))
        #expect(target.channel == "files")
        #expect(attempts.map(\.error) == ["undelivered for 1m (failover_after)"])
        #expect(breakers.released == ["hooks"], "the probe hooks was admitted for is not kept")
    }

    @Test func afterAnAttemptATransientFailureWaitsAndAPermanentOneMovesOnOrFails() {
        let hooks = RoutePlanner.Target(index: 0, channel: "hooks")
        let transient = DeliveryError(reason: .connection, isRetryable: true, detail: "refused")
        let retried = decisions.result(
            for: message(failures: 1, channelSince: Self.now - 5), notice: notice, target: hooks, attempts: [], failure: transient,
            startedAt: Self.now, finishedAt: Self.now + 1
        )
        #expect(retried.transition == .retry(at: Self.now + 16, routeIndex: 0, failures: 2, channelSince: Self.now - 5, error: transient.description))

        let gone = DeliveryError(reason: .rejected, isRetryable: false, detail: "410")
        let moved = decisions.result(for: message(), notice: notice, target: hooks, attempts: [], failure: gone, startedAt: Self.now, finishedAt: Self.now)
        #expect(moved.transition == .retry(at: Self.now, routeIndex: 1, failures: 0, channelSince: nil, error: gone.description))

        let last = RoutePlanner.Target(index: 1, channel: "files")
        let failed = decisions.result(
            for: message(routeIndex: 1), notice: notice, target: last, attempts: [], failure: gone, startedAt: Self.now, finishedAt: Self.now
        )
        #expect(failed.transition == .failed(error: gone.description))
        #expect(decisions.notSent(message()).attempts.isEmpty)
    }

    @Test func anAdmissionDroppedWithoutARecordGivesItsProbeBack() async throws {
        let store = MemoryMessageStore()
        let health = ChannelHealth(channels: ["hooks"], settings: CircuitSettings(openAfter: 1, cooldown: .seconds(10)))
        #expect(health.admit("hooks", now: Self.now))
        let opened = try #require(health.record("hooks", failure: DeliveryError(reason: .connection, isRetryable: true, detail: "x"), now: Self.now))
        try await store.saveCircuit(opened)
        let later = Self.now + 11
        #expect(!health.admit("hooks", now: later), "past the cooldown a channel's circuit waits for its probe to be granted")
        #expect(try await health.sync(with: store, now: later).map(\.state) == [.halfOpen])
        #expect(health.admit("hooks", now: later) && health.admit("hooks", now: later), "two probes when half-open")
        #expect(!health.admit("hooks", now: later))
        do { _ = CircuitAdmission(adopting: "hooks", in: health) }  // a delivery that sent nothing
        #expect(health.admit("hooks", now: later), "the dropped admission's probe is free again")
        let recorded = CircuitAdmission(adopting: "hooks", in: health)
        #expect(recorded.record(nil, now: later)?.state == .closed)
    }
}
