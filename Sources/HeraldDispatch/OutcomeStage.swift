import Foundation
import HeraldCore
import HeraldStore

/// Decides where a message goes next: which channel of its route to use now, and after an attempt
/// whether it is delivered, retried later on the same channel (backoff, `Retry-After`), moved to the next
/// channel (permanent failure, `failover_after`), or failed with its last error.
struct OutcomeStage: Sendable {
    let policy: RetryPolicy
    let failoverAfter: Duration
    let planner: RoutePlanner

    /// The channel to use now. A channel that has been failing longer than `failover_after` is passed over
    /// when a later channel of the route can take the message.
    func plan(_ message: QueuedMessage, notice: Notice, now: Date, isAvailable: (String) -> Bool) -> RoutePlanner.Plan {
        var plan = planner.plan(route: notice.route, from: message.routeIndex, recipient: message.recipient, isAvailable: isAvailable)
        if let target = plan.target, target.index == message.routeIndex, let since = message.channelSince,
            now.timeIntervalSince(since) >= failoverAfter.timeInterval
        {
            let later = planner.plan(route: notice.route, from: target.index + 1, recipient: message.recipient, isAvailable: isAvailable)
            if later.target != nil {
                let reason = "undelivered for \(DurationParser.format(failoverAfter)) (failover_after)"
                plan = RoutePlanner.Plan(target: later.target, skipped: plan.skipped + [(target.channel, reason)] + later.skipped)
            }
        }
        return plan
    }

    /// No channel can take the message now. If open circuits are why, it waits for the first to let
    /// probes through; if no channel of the route can ever reach the recipient, it fails.
    func noChannel(
        for message: QueuedMessage, notice: Notice, plan: RoutePlanner.Plan, attempts: [Attempt], reopensAt: Date?, now: Date
    ) -> DeliveryResult {
        if plan.skipped.contains(where: { $0.reason == RoutePlanner.circuitOpen }) {
            let reason = "every reachable channel of the route has an open circuit"
            return DeliveryResult(
                messageID: message.id, attempts: attempts,
                transition: .retry(
                    at: min(reopensAt ?? now + 1, message.expiresAt), routeIndex: message.routeIndex, failures: message.failures,
                    channelSince: message.channelSince, error: message.lastError ?? reason
                )
            )
        }
        let reason = message.lastError ?? "no channel in route [\(notice.route.joined(separator: ", "))] can reach recipient \(message.recipient.id)"
        return DeliveryResult(messageID: message.id, attempts: attempts, transition: .failed(error: reason))
    }

    /// The result of one attempt on `target`; `failure` is `nil` when the channel accepted the message.
    func result(
        for message: QueuedMessage, notice: Notice, target: (index: Int, channel: String), attempts: [Attempt],
        failure: DeliveryError?, startedAt: Date, finishedAt: Date
    ) -> DeliveryResult {
        var attempts = attempts
        guard let failure else {
            attempts.append(Attempt(at: startedAt, channel: target.channel, outcome: .delivered))
            return DeliveryResult(messageID: message.id, attempts: attempts, transition: .delivered(channel: target.channel))
        }
        let error = failure.description
        attempts.append(Attempt(at: startedAt, channel: target.channel, outcome: failure.isRetryable ? .transient : .permanent, error: error))

        if !failure.isRetryable {
            let next = planner.plan(route: notice.route, from: target.index + 1, recipient: message.recipient)
            attempts += next.skipped.map { Attempt(at: finishedAt, channel: $0.channel, outcome: .skipped, error: $0.reason) }
            guard let nextTarget = next.target else {
                return DeliveryResult(messageID: message.id, attempts: attempts, transition: .failed(error: error))
            }
            return DeliveryResult(
                messageID: message.id, attempts: attempts,
                transition: .retry(at: finishedAt, routeIndex: nextTarget.index, failures: 0, channelSince: nil, error: error)
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
