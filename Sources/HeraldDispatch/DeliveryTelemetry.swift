import Foundation
import HeraldCore
import HeraldStore
import HeraldTelemetry
import Logging
import Tracing

/// What an operator sees of each delivery: a log line for every attempt that did not deliver (with
/// the message, channel, destination and the plain reason), a warning for every message that ends
/// undelivered and every circuit that changes state, and the delivery metrics.
///
/// Log levels: `info` for a transient failure or a channel passed over; `warning` for a permanent
/// failure, a message that failed or expired, and a circuit transition. Deliveries log nothing.
public struct DeliveryTelemetry: Sendable {
    let logger: Logger
    let metrics: HeraldMetrics?
    let tracer: HeraldTracer

    /// - Parameters:
    ///   - logger: where the lines go (`herald serve`'s and `work`'s logger).
    ///   - metrics: the registry of `/metrics`; `nil` where nothing serves it.
    ///   - tracer: records a `herald.deliver` span per attempt, linked to the notice's accept.
    public init(logger: Logger, metrics: HeraldMetrics? = nil, tracer: HeraldTracer = .none) {
        self.logger = logger
        self.metrics = metrics
        self.tracer = tracer
    }

    /// The span of one message's processing, named for the message.
    func startSpan(for message: QueuedMessage) -> any Span {
        let span = tracer.startSpan("herald.deliver", ofKind: .client)
        span.attributes["herald.message.id"] = message.id
        span.attributes["herald.notice.id"] = message.noticeID
        return span
    }

    /// Links a delivery's span to the span that accepted its notice.
    func link(_ span: any Span, toAcceptOf notice: Notice) {
        guard let traceparent = notice.traceparent else { return }
        span.addLink(SpanLink(context: tracer.context(of: TraceHeaders(traceparent: traceparent)), attributes: [:]))
    }

    /// The headers that carry the delivery's span to the receiver.
    func traceHeaders(of span: any Span) -> [String: String] {
        tracer.headers(of: span).fields
    }

    /// Nothing logged, nothing counted: for tests and one-off commands that do not care.
    public static var silent: DeliveryTelemetry {
        DeliveryTelemetry(logger: Logger(label: "herald.silent") { _ in SwiftLogNoOpLogHandler() })
    }

    /// Records one processed message.
    /// - Parameters:
    ///   - sent: how long the attempt that sent something took, when one did.
    ///   - destination: where a delivery on a channel goes, for the log line.
    func record(_ message: QueuedMessage, result: DeliveryResult, sent: Duration?, span: any Span, destination: (String) -> String) {
        defer { finish(span, result: result) }
        // A result holds at most one attempt that was not skipped: the one that sent (or failed to render).
        for attempt in result.attempts {
            metrics?.delivery(channel: attempt.channel, outcome: attempt.outcome, duration: attempt.outcome == .skipped ? nil : sent)
            guard attempt.outcome != .delivered else { continue }
            var metadata: Logger.Metadata = [
                "message": "\(message.id)", "channel": "\(attempt.channel)", "destination": "\(destination(attempt.channel))",
                "outcome": "\(attempt.outcome.rawValue)",
            ]
            if let next = Self.next(result.transition) { metadata["next"] = "\(next)" }
            let reason = attempt.error ?? attempt.outcome.rawValue
            if attempt.outcome == .permanent {
                logger.warning("not delivered: \(reason)", metadata: metadata)
            } else {
                logger.info("not delivered: \(reason)", metadata: metadata)
            }
        }
        for learned in result.learned {
            logger.info(
                "suppressing \(learned.contact) (\(learned.reason.rawValue)), as \(learned.source) answered: \(learned.detail ?? "-")",
                metadata: ["message": "\(message.id)", "channel": "\(learned.source)"]
            )
        }
        switch result.transition {
        case .failed(let error), .expired(let error):
            let state = if case .failed = result.transition { "failed" } else { "expired" }
            logger.warning("message \(state): \(error)", metadata: ["message": "\(message.id)", "broadcast": "\(message.noticeID)"])
        case .dropped(.suppressed, let reason):
            logger.info("message suppressed: \(reason)", metadata: ["message": "\(message.id)", "broadcast": "\(message.noticeID)"])
        default:
            break
        }
    }

    /// Ends a delivery's span with the channel tried, each attempt's outcome, and the message's next state.
    private func finish(_ span: any Span, result: DeliveryResult) {
        if let tried = result.attempts.last(where: { $0.outcome != .skipped }) {
            span.attributes["herald.channel"] = tried.channel
            span.attributes["herald.outcome"] = tried.outcome.rawValue
            if let error = tried.error { span.setStatus(SpanStatus(code: .error, message: error)) }
        }
        if let next = Self.next(result.transition) { span.attributes["herald.next"] = next }
        span.end()
    }

    /// Records a circuit that changed state: a channel's, or a recipient destination's on a channel.
    func circuitChanged(_ record: CircuitRecord) {
        logger.warning(
            "circuit \(record.state.rawValue): \(record.channel)",
            metadata: ["channel": "\(record.channel)", "circuit": "\(record.state.rawValue)", "consecutive_failures": "\(record.consecutiveFailures)"]
        )
    }

    /// Channels an impaired service began holding back, and channels it let go: one warning each.
    func fateChanged(heldBack: [(channel: String, reason: String)], resumed: [String]) {
        for (channel, reason) in heldBack {
            logger.warning("channel held back: \(reason); routes pass it over", metadata: ["channel": "\(channel)"])
        }
        for channel in resumed {
            logger.warning("channel resumed: the services it depends on are restored", metadata: ["channel": "\(channel)"])
        }
    }

    /// What happens next to a message, for the log line.
    static func next(_ transition: DeliveryResult.Transition) -> String? {
        switch transition {
        case .retry(let at, let routeIndex, _, _, _): "retry at \(RenderContext.timestamp(at)) (route step \(routeIndex + 1))"
        case .failed: "failed"
        case .expired: "expired"
        case .dropped(.suppressed, _): "suppressed"
        case .delivered, .dropped: nil
        }
    }
}
