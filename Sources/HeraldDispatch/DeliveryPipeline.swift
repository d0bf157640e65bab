import Foundation
import HeraldCore
import HeraldStore
import Tracing

/// One message through the stages: resolve its notice → check expiry → route → render → deliver → decide
/// the next state. Every path ends in a `DeliveryResult`; nothing is dropped without a state and a reason.
public struct DeliveryPipeline: Sendable {
    /// The pipeline's settings, with a default for every field.
    public struct Configuration: Sendable {
        public var retry: RetrySettings
        public var circuit: CircuitSettings
        public var jitter: Double
        /// One-click unsubscribe links for `List-Unsubscribe` and `{{unsubscribe_url}}`, when configured.
        public var unsubscribeLinks: UnsubscribeLinks?

        public init(retry: RetrySettings = .init(), circuit: CircuitSettings = .init(), jitter: Double = 0.2, unsubscribeLinks: UnsubscribeLinks? = nil) {
            self.retry = retry
            self.circuit = circuit
            self.jitter = jitter
            self.unsubscribeLinks = unsubscribeLinks
        }
    }

    /// The configured channels by name, each with its transport.
    let channels: [String: ConfiguredChannel]
    let limiters: [String: ConcurrencyLimiter]
    let pacer: ChannelPacer
    /// Renders each message, through a stencil per notice where it can.
    let stencils: RenderStencilCache
    let templates: TemplateLibrary
    let notices: NoticeCache
    let decisions: DeliveryDecisions
    let unsubscribeLinks: UnsubscribeLinks?
    let clock: any WallClock
    let store: any DeliveryQueue
    /// The channels' circuit breakers, shared with every other pipeline of the process.
    public let health: ChannelHealth
    let telemetry: DeliveryTelemetry

    public init(
        store: any DeliveryQueue, channels: [ConfiguredChannel], templates: TemplateLibrary, clock: any WallClock,
        configuration: Configuration = .init(), health: ChannelHealth? = nil, telemetry: DeliveryTelemetry = .silent
    ) {
        let settings = channels.map(\.settings)
        self.store = store
        self.telemetry = telemetry
        self.health = health ?? ChannelHealth(channels: settings.map(\.name), settings: configuration.circuit, dependents: settings)
        self.channels = Dictionary(channels.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.pacer = ChannelPacer(
            settings: settings, ramp: configuration.circuit.ramp, store: store, clock: clock, health: self.health, logger: telemetry.logger
        )
        self.limiters = self.channels.mapValues { ConcurrencyLimiter(limit: $0.settings.connections * $0.transport.messagesPerConnection) }
        self.stencils = RenderStencilCache(templates: templates)
        self.templates = templates
        self.notices = NoticeCache(store: store)
        self.decisions = DeliveryDecisions(
            policy: RetryPolicy(backoff: configuration.retry.backoff, jitter: configuration.jitter),
            failoverAfter: configuration.retry.failoverAfter,
            planner: RoutePlanner(channels: settings)
        )
        self.unsubscribeLinks = configuration.unsubscribeLinks
        self.clock = clock
    }

    /// What the suppression list says about the contact points of a claimed batch, read once for all
    /// of them just before they are sent.
    public func suppressions(for batch: [QueuedMessage]) async throws -> [ContactPoint: Set<SuppressionReason>] {
        let contacts = batch.flatMap { message in channels.values.compactMap { $0.settings.contactPoint(for: message.recipient) } }
        return try await store.consent(for: contacts, category: NoticeCategory.updates).suppressed
    }

    /// Delivers one claimed message and says what became of it: carries out `DeliveryDecisions`, and
    /// tells the telemetry (logs, metrics) what happened.
    /// - Parameter suppressed: the suppressed contact points among the batch's (`suppressions(for:)`).
    public func process(_ message: QueuedMessage, suppressed: [ContactPoint: Set<SuppressionReason>] = [:]) async -> DeliveryResult {
        let span = telemetry.startSpan(for: message)
        let (result, sent) = await attempt(message, suppressed: suppressed, span: span)
        telemetry.record(message, result: result, sent: sent, span: span) { channel in
            channels[channel]?.settings.destination(for: message.recipient) ?? "-"
        }
        return result
    }

    /// One message through the stages, inside its delivery span.
    /// - Returns: the result, and how long the send took when something was sent.
    private func attempt(_ message: QueuedMessage, suppressed: [ContactPoint: Set<SuppressionReason>], span: any Span) async -> (DeliveryResult, sent: Duration?) {
        let now = clock.now()
        let stored: Notice?
        do { stored = try await notices.notice(id: message.noticeID) } catch { return (decisions.storeUnavailable(message, error: error, now: now), nil) }
        if let stored { telemetry.link(span, toAcceptOf: stored) }

        let (health, recipient) = (self.health, message.recipient)
        let isCanary = stored?.template == CanarySettings.template
        let breakers = DeliveryDecisions.Breakers(
            admit: { health.admit(breakerKey($0, for: recipient, isCanary: isCanary), now: now) },
            release: { health.release(breakerKey($0, for: recipient, isCanary: isCanary)) },
            reopensAt: { health.reopensAt($0.map { breakerKey($0, for: recipient, isCanary: isCanary) }) }
        )
        let category = stored.flatMap { try? templates.template(named: $0.template).category } ?? NoticeCategory.updates
        let consent = Consent(category: category, suppressed: suppressed)
        let (notice, target, attempts): (Notice, RoutePlanner.Target, [Attempt])
        switch decisions.start(message, notice: stored, consent: consent, fate: health.fate, now: now, breakers: breakers) {
        case .finish(let result): return (result, nil)
        case .deliver(let planned, let to, let skipped): (notice, target, attempts) = (planned, to, skipped)
        }
        // Given back on every exit below that sends nothing.
        let admission = CircuitAdmission(adopting: breakerKey(target.channel, for: recipient, isCanary: isCanary), in: health)
        guard let channel = channels[target.channel] else { preconditionFailure("the route planner only picks configured channels") }

        let unsubscribeURL = channel.settings.contactPoint(for: recipient).flatMap { unsubscribeLinks?.url(for: $0, category: category) }
        let rendered: RenderedNotice
        do {
            let context = RenderContext(vars: notice.vars, recipient: recipient, noticeID: notice.id, now: now, unsubscribeURL: unsubscribeURL)
            rendered = try stencils.render(notice, context: context, parts: channel.transport.kind.parts)
        } catch {
            return (decisions.renderFailed(message, target: target, attempts: attempts, error: error, now: now), nil)
        }

        // A channel with a `rate` gets its deliveries spaced out, best priority first; the wait happens
        // before the attempt is stamped, and the attempt is stamped with the slot it was given.
        let startedAt = await pacer.slot(for: target.channel, priority: notice.priority) ?? now
        let delivery = Delivery(
            messageID: message.id, recipient: recipient, rendered: rendered, vars: notice.vars, noticeID: notice.id,
            broadcastID: notice.kind == .broadcast ? notice.id : nil, incidentID: notice.incidentID, attemptedAt: startedAt,
            traceHeaders: telemetry.traceHeaders(of: span), unsubscribeURL: unsubscribeURL
        )
        let failure: DeliveryError?
        switch await send(delivery, on: channel.transport, limiter: limiters[target.channel], priority: notice.priority, recheck: notice.collapseKey != nil) {
        case .notSent: return (decisions.notSent(message), nil)
        case .accepted: failure = nil
        case .failed(let error): failure = error
        }
        let finishedAt = clock.now()
        if let change = admission.record(failure, now: finishedAt) {
            telemetry.circuitChanged(change)
            if health.isChannel(change.channel) {
                try? await store.saveCircuit(change)
                // Recovered: the backlog waiting on the channel drains by priority, not by each backoff.
                if change.state == .closed { _ = try? await store.wakeRetrying(channel: change.channel, now: finishedAt) }
            }
        }
        if isCanary {
            // A canary's attempt is its channel's latest proof, whichever way it went.
            let proof = CanaryResult(channel: target.channel, delivered: failure == nil, detail: failure?.detail, at: finishedAt)
            if let failure {
                telemetry.logger.warning("canary failed: the channel may be down", metadata: ["channel": "\(target.channel)", "error": "\(failure.detail)"])
            }
            do { try await store.recordCanary(proof) } catch { telemetry.logger.warning("canary result not stored", metadata: ["error": "\(error)"]) }
        }
        let result = decisions.result(
            for: message, notice: notice, target: target, attempts: attempts, consent: consent, fate: health.fate, failure: failure,
            startedAt: startedAt, finishedAt: finishedAt
        )
        return (result, .nanoseconds(Int64(finishedAt.timeIntervalSince(startedAt) * 1e9)))
    }

    /// The breaker a delivery on `channel` answers to: for a webhook to the recipient's own URL, that
    /// URL's `host:port` on the channel, so one tenant's broken receiver does not stop the others. A
    /// canary answers to the channel's own breaker: proving the channel is what it is for.
    func breakerKey(_ channel: String, for recipient: Recipient, isCanary: Bool = false) -> String {
        guard !isCanary, let url = recipient.contacts.webhook, channels[channel]?.settings.kind == .webhook,
            let destination = try? HTTPDestination.memoized(url)
        else {
            return channel
        }
        return ChannelHealth.key(channel: channel, destination: destination.authority)
    }

    /// Sends, unless `recheck` finds the message superseded while it waited for a permit (by a newer notice
    /// with its collapse key; only such messages can be, so only they pay for the read).
    private func send(
        _ delivery: Delivery, on channel: any Channel, limiter: ConcurrencyLimiter?, priority: Priority, recheck: Bool
    ) async -> DeliveryDecisions.SendOutcome {
        let store = self.store
        let send: @Sendable () async throws -> Bool = {
            if recheck, try await store.state(ofMessage: delivery.messageID) != .sending { return false }
            try await channel.deliver(delivery)
            return true
        }
        do {
            let sent: Bool
            if let limiter { sent = try await limiter.withPermit(priority, send) } else { sent = try await send() }
            return sent ? .accepted : .notSent
        } catch let error as DeliveryError {
            return .failed(error)
        } catch {
            return .failed(DeliveryError(reason: .unknown, isRetryable: true, detail: String(describing: error)))
        }
    }
}
