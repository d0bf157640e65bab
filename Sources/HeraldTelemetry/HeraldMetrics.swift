import Foundation
import HeraldCore
import HeraldStore
import Prometheus
import Synchronization

/// The Prometheus registry behind `GET /metrics`, with every series Herald records, each with HELP and TYPE.
///
/// Events are recorded as they happen: delivery attempts by channel and outcome with their
/// latency, accepted messages by source, HTTP requests by route and status with their latency.
/// State (messages by state, channels' circuits and counts) is read from the store at scrape time,
/// so it is right for every node sharing the store, not just this process.
///
/// ```swift
/// let metrics = HeraldMetrics()
/// metrics.delivery(channel: "partners", outcome: .delivered, duration: .milliseconds(12))
/// let text = try await metrics.scrape(store: store, configuration: config, now: Date())
/// ```
public final class HeraldMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    private let counters = Mutex<[SeriesKey: Counter]>([:])
    private let histograms = Mutex<[SeriesKey: DurationHistogram]>([:])

    /// A series: its name and label values.
    private struct SeriesKey: Hashable {
        var name: String
        var labels: [String]
    }

    /// Latency buckets for deliveries and HTTP requests: 1 ms to 30 s.
    static let buckets: [Duration] = [1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000].map { .milliseconds($0) }

    public init() {
        registry.makeGauge(descriptor: Self.descriptor("build_info", "Always 1; the version label says which Herald runs."), labels: [("version", HeraldVersion.current)])
            .set(to: 1)
    }

    /// Counts one delivery attempt's outcome and, when something was sent, how long the channel took.
    public func delivery(channel: String, outcome: Attempt.Outcome, duration: Duration?) {
        counter("deliveries_total", "Delivery attempts by channel and outcome (delivered, transient, permanent, skipped).", [("channel", channel), ("outcome", outcome.rawValue)])
            .increment()
        if let duration {
            histogram("delivery_duration_seconds", "Time from an attempt's start to the channel's answer.", [("channel", channel)]).record(duration)
        }
    }

    /// Counts messages accepted into the queue, by where they came from (`api`, `cli`, `digest`, `incident`).
    public func accepted(_ count: Int, source: String) {
        counter("accepted_total", "Messages accepted into the queue, by source.", [("source", source)]).increment(by: Int64(count))
    }

    /// Counts one HTTP request and records its latency.
    public func request(route: String, method: String, status: Int, duration: Duration) {
        counter("http_requests_total", "HTTP requests by route, method and status.", [("route", route), ("method", method), ("status", "\(status)")])
            .increment()
        histogram("http_request_duration_seconds", "Time to answer an HTTP request, by route.", [("route", route)]).record(duration)
    }

    /// Refreshes the state gauges from the store (canaries' ages as of `now`) and renders the registry
    /// in the Prometheus text format.
    public func scrape(store: any QueueQueries, configuration: HeraldConfiguration, now: Date) async throws -> String {
        let counts = try await store.counts(noticeID: nil)
        for state in MessageState.allCases {
            gauge("messages", "Messages in the store by state.", [("state", state.rawValue)]).set(Double(counts[state]))
        }
        let depth = counts[.queued] + counts[.retrying] + counts[.sending]
        gauge("queue_depth", "Messages not yet final: queued, retrying or sending.").set(Double(depth))
        for channel in try await store.channelReport(for: configuration, now: now) {
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
            if let canary = channel.canary, let age = canary.ageSeconds {
                let labels = [("channel", channel.name)]
                gauge("canary_success", "1 when the channel's last canary was delivered, 0 when it failed.", labels).set(Double(canary.result == "delivered" ? 1 : 0))
                gauge("canary_age_seconds", "Seconds since the channel's last canary result; stale past three periods.", labels).set(Double(age))
            }
        }
        return registry.emitToString()
    }

    private static func descriptor(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "herald", metricName: name, unitName: "", helpText: help)
    }

    private func counter(_ name: String, _ help: String, _ labels: [(String, String)]) -> Counter {
        let key = SeriesKey(name: name, labels: labels.map(\.1))
        return counters.withLock { counters in
            if let counter = counters[key] { return counter }
            let counter = registry.makeCounter(descriptor: Self.descriptor(name, help), labels: labels)
            counters[key] = counter
            return counter
        }
    }

    private func histogram(_ name: String, _ help: String, _ labels: [(String, String)]) -> DurationHistogram {
        let key = SeriesKey(name: name, labels: labels.map(\.1))
        return histograms.withLock { histograms in
            if let histogram = histograms[key] { return histogram }
            let histogram = registry.makeDurationHistogram(descriptor: Self.descriptor(name, help), labels: labels, buckets: Self.buckets)
            histograms[key] = histogram
            return histogram
        }
    }

    private func gauge(_ name: String, _ help: String, _ labels: [(String, String)] = []) -> Gauge {
        registry.makeGauge(descriptor: Self.descriptor(name, help), labels: labels)
    }
}
