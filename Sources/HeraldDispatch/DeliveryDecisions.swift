import Foundation
import HeraldCore
import HeraldStore

/// Every decision about one claimed message, made without I/O so it can be tested event by event:
/// given what the pipeline learned so far, where the message goes next. `DeliveryPipeline` only
/// carries the decisions out (reads the notice, renders, paces, sends, records) and asks here at each step.
///
/// After an attempt a message is delivered, retried later on the same channel (backoff,
/// `Retry-After`), moved to the next channel (permanent failure, `failover_after`), or failed with
/// its last error; before one, it may expire, find no channel, or wait for a circuit to reopen.
struct DeliveryDecisions: Sendable {
    let policy: RetryPolicy
    let failoverAfter: Duration
    let planner: RoutePlanner

    /// What to do with a claimed message once its notice has been read.
    enum Start {
        /// Nothing to send: record this result.
        case finish(DeliveryResult)
        /// Render and send on `target`, holding the admission its breaker just gave; `attempts` are
        /// the channels passed over on the way, already stamped.
        case deliver(notice: Notice, target: RoutePlanner.Target, attempts: [Attempt])
    }

    /// What the send step reports.
    enum SendOutcome: Sendable, Equatable {
        case accepted
        case failed(DeliveryError)
        /// The message was superseded or cancelled while it waited for a permit: nothing was sent.
        case notSent
    }

    /// The circuit breakers, as the decisions see them, by channel name.
    struct Breakers {
        /// Whether a channel's breaker admits a delivery now (taking a probe when half-open).
        var admit: (String) -> Bool
        /// Gives back an admission the plan did not use.
        var release: (String) -> Void
        /// The earliest time one of these channels' open circuits lets probes through.
        var reopensAt: ([String]) -> Date?
    }

    /// The first decision: the notice is gone, the message expired, no channel can take it now, or
    /// it goes to a channel.
    /// - Parameter consent: what the suppression list says about the recipient's contact points, read
    ///   just before this decision.
    /// - Parameter fate: the impaired services channels depend on, as last synced.
    func start(_ message: QueuedMessage, notice: Notice?, consent: Consent = .unrestricted, fate: SharedFate = .clear, now: Date, breakers: Breakers) -> Start {
        guard let notice else {
            return .finish(DeliveryResult(messageID: message.id, attempts: [], transition: .failed(error: "notice \(message.noticeID) is missing")))
        }
        if now >= message.expiresAt {
            let error = message.lastError ?? "expired before any channel accepted it"
            return .finish(DeliveryResult(messageID: message.id, attempts: [], transition: .expired(error: error)))
        }
        let plan = plan(message, notice: notice, consent: consent, fate: fate, now: now, breakers: breakers)
        let attempts = plan.skipped.map { Attempt(at: now, channel: $0.channel, outcome: .skipped, error: $0.reason.description) }
        guard let target = plan.target else {
            return .finish(
                noChannel(
                    for: message, notice: notice, plan: plan, consent: consent, attempts: attempts, reopensAt: breakers.reopensAt(notice.route), now: now
                )
            )
        }
        return .deliver(notice: notice, target: target, attempts: attempts)
    }

    /// The channel to use now. A channel that has been failing longer than `failover_after` is passed over
    /// when a later channel of the route can take the message, and the admission it was given is handed back.
    func plan(_ message: QueuedMessage, notice: Notice, consent: Consent, fate: SharedFate, now: Date, breakers: Breakers) -> RoutePlanner.Plan {
        let plan = planner.plan(
            route: notice.route, from: message.routeIndex, recipient: message.recipient, consent: consent, fate: fate, isAvailable: breakers.admit
        )
        guard let target = plan.target, target.index == message.routeIndex, let since = message.channelSince,
            now.timeIntervalSince(since) >= failoverAfter.timeInterval
        else { return plan }
        let later = planner.plan(
            route: notice.route, from: target.index + 1, recipient: message.recipient, consent: consent, fate: fate, isAvailable: breakers.admit
        )
        guard later.target != nil else { return plan }
        breakers.release(target.channel)
        return RoutePlanner.Plan(
            target: later.target, skipped: plan.skipped + [RoutePlanner.Skip(channel: target.channel, reason: .failoverAfter(failoverAfter))] + later.skipped
        )
    }

    /// No channel can take the message now. If the suppression list rules out the recipient, it ends
    /// `suppressed`; if open circuits are why, it waits for the first to let probes through; if no
    /// channel of the route can ever reach the recipient, it fails.
    func noChannel(
        for message: QueuedMessage, notice: Notice, plan: RoutePlanner.Plan, consent: Consent, attempts: [Attempt], reopensAt: Date?, now: Date
    ) -> DeliveryResult {
        if let suppression = planner.suppression(route: notice.route, recipient: message.recipient, consent: consent) {
            return DeliveryResult(messageID: message.id, attempts: attempts, transition: .dropped(.suppressed, reason: suppression))
        }
        if plan.skipped.contains(where: { $0.reason == .circuitOpen }) {
            let reason = "every reachable channel of the route has an open circuit"
            return DeliveryResult(
                messageID: message.id, attempts: attempts,
                transition: .retry(
                    at: min(reopensAt ?? now + 1, message.expiresAt), routeIndex: message.routeIndex, failures: message.failures,
                    channelSince: message.channelSince, error: message.lastError ?? reason
                )
            )
        }
        // Held back by an impaired service: looked at again after the first backoff step, not failed.
        if let held = plan.skipped.first(where: \.reason.isHeldBack) {
            return DeliveryResult(
                messageID: message.id, attempts: attempts,
                transition: .retry(
                    at: min(now + policy.step(afterFailure: 1).timeInterval, message.expiresAt), routeIndex: message.routeIndex,
                    failures: message.failures, channelSince: message.channelSince, error: message.lastError ?? "held back: \(held.reason)"
                )
            )
        }
        let reason = message.lastError ?? "no channel in route [\(notice.route.joined(separator: ", "))] can reach recipient \(message.recipient.id)"
        return DeliveryResult(messageID: message.id, attempts: attempts, transition: .failed(error: reason))
    }

    /// The template does not render for this recipient: no channel would do better, so it fails.
    func renderFailed(_ message: QueuedMessage, target: RoutePlanner.Target, attempts: [Attempt], error: any Error, now: Date) -> DeliveryResult {
        let failure = DeliveryError(reason: .render, isRetryable: false, detail: "\(error)")
        let attempt = Attempt(at: now, channel: target.channel, outcome: .permanent, error: failure.description)
        return DeliveryResult(messageID: message.id, attempts: attempts + [attempt], transition: .failed(error: failure.description))
    }

    /// Nothing was sent because the message stopped being ours; the store already holds its final state,
    /// and the result is ignored there (the lease is gone), so no attempt is logged.
    func notSent(_ message: QueuedMessage) -> DeliveryResult {
        DeliveryResult(messageID: message.id, attempts: [], transition: .dropped(.superseded, reason: "not sent: the message was superseded or its lease lost"))
    }

    /// The result of one attempt on `target`; `failure` is `nil` when the channel accepted the message.
    /// A failure that says the contact point is dead puts it on the suppression list, and the rest of
    /// the route is planned without it: the message moves on, or ends `suppressed` if nothing is left.
    func result(
        for message: QueuedMessage, notice: Notice, target: RoutePlanner.Target, attempts: [Attempt], consent: Consent = .unrestricted,
        fate: SharedFate = .clear, failure: DeliveryError?, startedAt: Date, finishedAt: Date
    ) -> DeliveryResult {
        var attempts = attempts
        guard let failure else {
            attempts.append(Attempt(at: startedAt, channel: target.channel, outcome: .delivered))
            return DeliveryResult(messageID: message.id, attempts: attempts, transition: .delivered(channel: target.channel))
        }
        let error = failure.description
        attempts.append(Attempt(at: startedAt, channel: target.channel, outcome: failure.isRetryable ? .transient : .permanent, error: error))

        if !failure.isRetryable {
            var consent = consent
            var learned: [Suppression] = []
            if let reason = failure.learned, let contact = planner.channels[target.channel]?.contactPoint(for: message.recipient) {
                learned.append(Suppression(contact: contact, reason: reason, source: target.channel, detail: failure.detail, addedAt: finishedAt))
                consent.add([(contact, reason)])
            }
            let next = planner.plan(route: notice.route, from: target.index + 1, recipient: message.recipient, consent: consent, fate: fate)
            attempts += next.skipped.map { Attempt(at: finishedAt, channel: $0.channel, outcome: .skipped, error: $0.reason.description) }
            guard let nextTarget = next.target else {
                let heldBack = next.skipped.contains(where: \.reason.isHeldBack)
                let transition: DeliveryResult.Transition =
                    if let suppression = planner.suppression(route: notice.route, recipient: message.recipient, consent: consent) {
                        .dropped(.suppressed, reason: "\(suppression); \(error)")
                    } else if heldBack {
                        // The rest of the route waits for its service, as it would for an open circuit.
                        .retry(
                            at: min(finishedAt + policy.step(afterFailure: 1).timeInterval, message.expiresAt), routeIndex: target.index + 1,
                            failures: 0, channelSince: nil, error: error
                        )
                    } else {
                        .failed(error: error)
                    }
                return DeliveryResult(messageID: message.id, attempts: attempts, transition: transition, learned: learned)
            }
            return DeliveryResult(
                messageID: message.id, attempts: attempts,
                transition: .retry(at: finishedAt, routeIndex: nextTarget.index, failures: 0, channelSince: nil, error: error), learned: learned
            )
        }

        let sameChannel = target.index == message.routeIndex
        let failures = (sameChannel ? message.failures : 0) + 1
        let delay = policy.delay(afterFailure: failures, retryAfter: failure.retryAfter)
        // Wake no later than the expiry, so the message ends `expired` on time with this error.
        let next = min(finishedAt + delay.timeInterval, message.expiresAt)
        let since = sameChannel ? (message.channelSince ?? startedAt) : startedAt
        return DeliveryResult(
            messageID: message.id, attempts: attempts,
            transition: .retry(at: next, routeIndex: target.index, failures: failures, channelSince: since, error: error)
        )
    }

    /// The notice could not be read: try again shortly, on the same channel.
    func storeUnavailable(_ message: QueuedMessage, error: any Error, now: Date) -> DeliveryResult {
        DeliveryResult(
            messageID: message.id, attempts: [],
            transition: .retry(
                at: now + policy.step(afterFailure: 1).timeInterval, routeIndex: message.routeIndex, failures: message.failures,
                channelSince: message.channelSince, error: "store: \(error)"
            )
        )
    }
}
