import Foundation
import HeraldCore
import HeraldStore

/// One message through the stages: resolve its notice → check expiry → route → render → deliver → decide
/// the next state. Every path ends in a `DeliveryResult`; nothing is dropped without a state and a reason.
public struct DeliveryPipeline: Sendable {
    /// The pipeline's settings, with a default for every field.
    public struct Configuration: Sendable {
        public var retry: RetrySettings
        public var circuit: CircuitSettings
        public var jitter: Double

        public init(retry: RetrySettings = .init(), circuit: CircuitSettings = .init(), jitter: Double = 0.2) {
            self.retry = retry
            self.circuit = circuit
            self.jitter = jitter
        }
    }

    let channels: [String: any Channel]
    let limiters: [String: ConcurrencyLimiter]
    let pacer: ChannelPacer
    let planner: RoutePlanner
    /// Renders each message, through a stencil per notice where it can.
    let stencils: RenderStencilCache
    let notices: NoticeCache
    let outcomes: OutcomeStage
    let clock: any WallClock
    let store: any DeliveryQueue
    /// The channels' circuit breakers, shared with every other pipeline of the process.
    public let health: ChannelHealth

    public init(
        store: any DeliveryQueue, channels: [String: any Channel], settings: [ChannelSettings], templates: TemplateLibrary,
        clock: any WallClock, configuration: Configuration = .init(), health: ChannelHealth? = nil
    ) {
        self.store = store
        self.health = health ?? ChannelHealth(channels: settings.map(\.name), settings: configuration.circuit)
        self.channels = channels
        self.pacer = ChannelPacer(settings: settings)
        self.limiters = Dictionary(
            uniqueKeysWithValues: settings.map { ($0.name, ConcurrencyLimiter(limit: $0.connections * (channels[$0.name]?.messagesPerConnection ?? 1))) }
        )
        self.planner = RoutePlanner(channels: settings)
        self.stencils = RenderStencilCache(templates: templates)
        self.notices = NoticeCache(store: store)
        self.outcomes = OutcomeStage(
            policy: RetryPolicy(backoff: configuration.retry.backoff, jitter: configuration.jitter),
            failoverAfter: configuration.retry.failoverAfter,
            planner: planner
        )
        self.clock = clock
    }

    /// Delivers one claimed message and says what became of it.
    public func process(_ message: QueuedMessage) async -> DeliveryResult {
        let now = clock.now()
        let notice: Notice
        do {
            guard let found = try await notices.notice(id: message.noticeID) else {
                return DeliveryResult(messageID: message.id, attempts: [], transition: .failed(error: "notice \(message.noticeID) is missing"))
            }
            notice = found
        } catch {
            return outcomes.storeUnavailable(message, error: error, now: now)
        }
        if now >= message.expiresAt {
            return DeliveryResult(
                messageID: message.id, attempts: [], transition: .expired(error: message.lastError ?? "expired before any channel accepted it")
            )
        }

        let health = self.health
        let breaker = { (channel: String) in self.breakerKey(channel, for: message.recipient) }
        let plan = outcomes.plan(message, notice: notice, now: now) { health.admit(breaker($0), now: now) }
        var attempts = plan.skipped.map { Attempt(at: now, channel: $0.channel, outcome: .skipped, error: $0.reason) }
        guard let target = plan.target, let channel = channels[target.channel] else {
            let reopensAt = health.reopensAt(notice.route.map(breaker))
            return outcomes.noChannel(for: message, notice: notice, plan: plan, attempts: attempts, reopensAt: reopensAt, now: now)
        }
        let targetBreaker = breaker(target.channel)

        let rendered: RenderedNotice
        do {
            let context = RenderContext(vars: notice.vars, recipient: message.recipient, noticeID: notice.id, now: now)
            rendered = try stencils.render(notice, context: context, parts: channel.parts)
        } catch {
            health.release(targetBreaker)
            let failure = DeliveryError(reason: .render, isRetryable: false, detail: "\(error)")
            attempts.append(Attempt(at: now, channel: target.channel, outcome: .permanent, error: failure.description))
            return DeliveryResult(messageID: message.id, attempts: attempts, transition: .failed(error: failure.description))
        }

        // A channel with a `rate` gets its deliveries spaced out; the wait happens before the attempt is stamped.
        let slot = pacer.reserve(target.channel, now: now)
        if slot > now { try? await clock.sleep(for: .milliseconds(Int64((slot.timeIntervalSince(now) * 1000).rounded(.up)))) }
        let startedAt = slot  // the attempt is stamped with the slot it was given
        let delivery = Delivery(
            messageID: message.id, recipient: message.recipient, rendered: rendered, vars: notice.vars, noticeID: notice.id,
            broadcastID: notice.kind == .broadcast ? notice.id : nil, incidentID: notice.incidentID, attemptedAt: startedAt
        )
        let failure = await deliver(delivery, on: channel, limiter: limiters[target.channel], recheck: notice.collapseKey != nil)
        if failure == Self.notSent {
            // Superseded or cancelled while waiting: the store already holds its final state; record nothing.
            health.release(targetBreaker)
            return DeliveryResult(messageID: message.id, attempts: [], transition: .dropped(.superseded, reason: Self.notSent.detail))
        }
        if let change = health.record(targetBreaker, failure: failure, now: clock.now()) {
            try? await store.saveCircuit(change)
        }
        return outcomes.result(
            for: message, notice: notice, target: target, attempts: attempts, failure: failure, startedAt: startedAt, finishedAt: clock.now()
        )
    }

    /// The breaker a delivery on `channel` answers to: for a webhook to the recipient's own URL, that
    /// URL's `host:port` on the channel, so one tenant's broken receiver does not stop the others.
    func breakerKey(_ channel: String, for recipient: Recipient) -> String {
        guard let url = recipient.contacts.webhook, channels[channel]?.kind == .webhook, let destination = try? HTTPDestination.memoized(url) else {
            return channel
        }
        return ChannelHealth.key(channel: channel, destination: destination.authority)
    }

    /// Sends, unless `recheck` finds the message superseded while it waited for a permit (by a newer notice
    /// with its collapse key; only such messages can be, so only they pay for the read); then nothing is
    /// sent and `notSent` is returned.
    private func deliver(_ delivery: Delivery, on channel: any Channel, limiter: ConcurrencyLimiter?, recheck: Bool) async -> DeliveryError? {
        let store = self.store
        let send: @Sendable () async throws -> Bool = {
            if recheck, try await store.state(ofMessage: delivery.messageID) != .sending { return false }
            try await channel.deliver(delivery)
            return true
        }
        do {
            let sent: Bool
            if let limiter { sent = try await limiter.withPermit(send) } else { sent = try await send() }
            return sent ? nil : Self.notSent
        } catch let error as DeliveryError {
            return error
        } catch {
            return DeliveryError(reason: .unknown, isRetryable: true, detail: String(describing: error))
        }
    }

    /// Marks a delivery skipped because the message was no longer ours to send.
    static let notSent = DeliveryError(reason: .unknown, isRetryable: false, detail: "not sent: the message was superseded or its lease lost")
}
