import CoreMetrics
import HeraldCore
import HeraldStore
import Metrics
import Prometheus
import Synchronization

/// The Prometheus registry behind `GET /metrics`.
///
/// HTTP requests are counted through swift-metrics as they happen, so `herald serve` bootstraps
/// `MetricsSystem` with `factory` (delivery attempts are not recorded as events yet). State metrics
/// (messages by state, per-channel counts and circuits, queue depth) are read from the store at scrape
/// time, so they are right for every worker sharing the store, not just this process.
public final class HeraldMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    /// Records into `registry`; `herald serve` bootstraps `MetricsSystem` with it.
    public let factory: PrometheusMetricsFactory

    /// `herald_http_requests_total` by route, method and status, made once per combination.
    private let requestCounters = Mutex<[RequestKey: CoreMetrics.Counter]>([:])

    private struct RequestKey: Hashable {
        var route: String
        var method: String
        var status: Int
    }

    public init() {
        registry = PrometheusCollectorRegistry()
        factory = PrometheusMetricsFactory(registry: registry)
    }

    /// Counts one HTTP request.
    func countRequest(route: String, method: String, status: Int) {
        let key = RequestKey(route: route, method: method, status: status)
        let counter = requestCounters.withLock { counters in
            if let counter = counters[key] { return counter }
            let counter = CoreMetrics.Counter(
                label: "herald_http_requests_total", dimensions: [("route", route), ("method", method), ("status", "\(status)")], factory: factory
            )
            counters[key] = counter
            return counter
        }
        counter.increment()
    }

    /// Refreshes the state gauges from the store and renders the registry in the Prometheus text format.
    func scrape(store: any MessageStore, configuration: HeraldConfiguration) async throws -> String {
        let counts = try await store.counts(noticeID: nil)
        for state in MessageState.allCases {
            gauge("messages", "Messages in the store by state.", [("state", state.rawValue)]).set(Double(counts[state]))
        }
        let depth = counts[.queued] + counts[.retrying] + counts[.sending]
        gauge("queue_depth", "Messages not yet final: queued, retrying or sending.").set(Double(depth))
        for channel in try await store.channelReport(for: configuration) {
            let help = "Messages whose last attempt was on the channel, by final outcome."
            gauge("channel_messages", help, [("channel", channel.name), ("outcome", "delivered")]).set(Double(channel.delivered))
            gauge("channel_messages", help, [("channel", channel.name), ("outcome", "failed")]).set(Double(channel.failed))
            let open: Double =
                switch channel.circuit {
                case .closed: 0
                case .halfOpen: 1
                case .open: 2
                }
            gauge("circuit_state", "The channel's circuit: 0 closed, 1 half-open, 2 open.", [("channel", channel.name)]).set(open)
        }
        return registry.emitToString()
    }

    private func gauge(_ name: String, _ help: String, _ labels: [(String, String)] = []) -> Prometheus.Gauge {
        registry.makeGauge(descriptor: MetricNameDescriptor(namespace: "herald", metricName: name, unitName: "", helpText: help), labels: labels)
    }
}
