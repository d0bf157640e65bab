import HeraldCore
import HeraldDispatch
import HeraldTelemetry
import Instrumentation
import Logging
import OTel
import ServiceLifecycle

/// What a long-running command (`serve`, `work`) records: the metrics `/metrics` serves, and spans
/// exported over OTLP/HTTP when `tracing:` is configured, with the exporter's service to run.
struct Observability {
    let metrics: HeraldMetrics
    let tracer: HeraldTracer
    /// The span exporter; run it first in the service group so it is the last to stop and flushes
    /// every span the others ended.
    let services: [any Service]

    init(configuration: HeraldConfiguration, logger: Logger) throws {
        metrics = HeraldMetrics()
        guard let tracing = configuration.tracing else {
            tracer = .none
            services = []
            return
        }
        var otel = OTel.Configuration.default
        otel.serviceName = tracing.serviceName
        otel.logs.enabled = false
        otel.metrics.enabled = false
        otel.traces.otlpExporter.protocol = .httpProtobuf
        otel.traces.otlpExporter.endpoint = tracing.tracesURL
        otel.diagnosticLogger = .custom(logger)
        let backend = try OTel.makeTracingBackend(configuration: otel)
        // Bootstrapped globally, the tracer lives as long as the process: released from a task, which
        // here runs on an event loop, its exporter would shut its HTTP client down synchronously there,
        // which AsyncHTTPClient refuses with a trap.
        InstrumentationSystem.bootstrap(backend.factory)
        tracer = HeraldTracer(backend.factory)
        services = [backend.service]
    }

    /// What the worker's pipeline records.
    func delivery(logger: Logger) -> DeliveryTelemetry {
        DeliveryTelemetry(logger: logger, metrics: metrics, tracer: tracer)
    }

    /// What an accept records, counted under `source`.
    func intake(source: String) -> NoticeIntake.Telemetry {
        NoticeIntake.Telemetry(metrics: metrics, tracer: tracer, source: source)
    }
}
