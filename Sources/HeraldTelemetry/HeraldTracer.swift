import Instrumentation
import ServiceContextModule
import Tracing

/// The spans Herald records, and the W3C trace context (`traceparent`, `tracestate`) they travel in:
/// one span per accept (a child of the caller's `traceparent`, when the request carried one) and one
/// per delivery attempt (linked to its accept, and passed on to webhook receivers).
///
/// Wraps whichever `Tracer` the process was given: swift-otel's OTLP exporter under `herald serve`
/// and `herald work` with `tracing:` configured, `NoOpTracer` otherwise (spans then cost next to nothing).
///
/// ```swift
/// let span = tracer.startSpan("herald.accept", continuing: TraceHeaders(["traceparent": header]))
/// defer { span.end() }
/// let stored = tracer.headers(of: span)   // what the notice keeps, for the delivery spans to link to
/// ```
public struct HeraldTracer: Sendable {
    let tracer: any Tracer

    public init(_ tracer: any Tracer) { self.tracer = tracer }

    /// Records nothing.
    public static let none = HeraldTracer(NoOpTracer())

    /// Starts a span continuing the trace `headers` carry (a new trace when they carry none).
    public func startSpan(_ name: String, continuing headers: TraceHeaders = .none, ofKind kind: SpanKind = .internal) -> any Span {
        tracer.startSpan(name, context: context(of: headers), ofKind: kind)
    }

    /// The trace context of `headers`, for a span link.
    public func context(of headers: TraceHeaders) -> ServiceContext {
        var context = ServiceContext.topLevel
        guard !headers.fields.isEmpty else { return context }
        tracer.extract(headers.fields, into: &context, using: FieldsCarrier())
        return context
    }

    /// The headers that carry `span`'s trace context onwards (empty with `NoOpTracer`).
    public func headers(of span: any Span) -> TraceHeaders {
        var fields: [String: String] = [:]
        tracer.inject(span.context, into: &fields, using: FieldsCarrier())
        return TraceHeaders(fields)
    }
}

/// W3C trace context headers by lowercase name (`traceparent`, `tracestate`), as a request brings
/// them, a notice stores them and a webhook request sends them on.
public struct TraceHeaders: Sendable, Hashable {
    public var fields: [String: String]

    /// The header names that carry a trace context.
    public static let names = ["traceparent", "tracestate"]

    public init(_ fields: [String: String] = [:]) { self.fields = fields }

    public static let none = TraceHeaders()

    /// `traceparent` alone, as stored with a notice.
    public init(traceparent: String?) { self.init(traceparent.map { ["traceparent": $0] } ?? [:]) }

    public var traceparent: String? { fields["traceparent"] }
}

/// Reads and writes trace context fields in a dictionary.
struct FieldsCarrier: Extractor, Injector {
    func extract(key: String, from carrier: [String: String]) -> String? { carrier[key.lowercased()] }
    func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) { carrier[key.lowercased()] = value }
}
