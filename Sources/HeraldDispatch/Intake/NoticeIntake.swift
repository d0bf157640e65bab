import Foundation
import HeraldCore
import HeraldStore
import HeraldTelemetry
import Tracing

/// Accepts sends and broadcasts: validates everything first, then queues durably.
/// When a method returns an id, every message is in the store; when it throws, nothing is.
///
/// ```swift
/// let intake = NoticeIntake(configuration: config, templates: library, store: store, clock: SystemWallClock())
/// let receipt = try await intake.broadcast(request, audienceFile: "audience.csv")
/// print(receipt.id)  // bc_…
/// ```
public struct NoticeIntake: Sendable {
    let configuration: HeraldConfiguration
    let templates: TemplateLibrary
    let store: any NoticeQueue & RecipientDirectory
    let clock: any WallClock
    let planner: RoutePlanner
    let renderChecks = RenderCheckMemo()
    let telemetry: Telemetry

    public init(
        configuration: HeraldConfiguration, templates: TemplateLibrary, store: any NoticeQueue & RecipientDirectory, clock: any WallClock,
        telemetry: Telemetry = .init()
    ) {
        self.configuration = configuration
        self.templates = templates
        self.store = store
        self.clock = clock
        self.planner = RoutePlanner(channels: configuration.channels)
        self.telemetry = telemetry
    }

    /// What an accept records: `herald_accepted_total{source}` and a `herald.accept` span.
    public struct Telemetry: Sendable {
        public var metrics: HeraldMetrics?
        public var tracer: HeraldTracer
        /// Where accepts come from: `api`, `cli`, `digest`, `incident`.
        public var source: String

        public init(metrics: HeraldMetrics? = nil, tracer: HeraldTracer = .none, source: String = "cli") {
            self.metrics = metrics
            self.tracer = tracer
            self.source = source
        }
    }

    /// The same intake, counting its accepts under another source.
    public func with(source: String) -> NoticeIntake {
        var telemetry = self.telemetry
        telemetry.source = source
        return NoticeIntake(configuration: configuration, templates: templates, store: store, clock: clock, telemetry: telemetry)
    }

    /// Runs an accept inside a `herald.accept` span continuing `trace`; `body` gets the span's own
    /// `traceparent` to store with the notice. Counts what was accepted.
    private func accepting(_ trace: TraceHeaders, _ body: (_ traceparent: String?) async throws -> Receipt) async throws -> Receipt {
        let span = telemetry.tracer.startSpan("herald.accept", continuing: trace, ofKind: .server)
        defer { span.end() }
        span.attributes["herald.source"] = telemetry.source
        do {
            let receipt = try await body(telemetry.tracer.headers(of: span).traceparent)
            span.attributes["herald.notice.id"] = receipt.noticeID
            if receipt.id != receipt.noticeID { span.attributes["herald.message.id"] = receipt.id }
            span.attributes["herald.messages"] = receipt.total
            telemetry.metrics?.accepted(receipt.total, source: telemetry.source)
            return receipt
        } catch {
            span.recordError(error)
            span.setStatus(SpanStatus(code: .error, message: "\(error)"))
            throw error
        }
    }

    /// What was queued.
    public struct Receipt: Sendable, Hashable {
        /// The broadcast id, or for a single send the message id.
        public var id: String
        public var noticeID: String
        public var total: Int
        /// Messages queued already `suppressed`: the suppression list rules out their recipients.
        public var suppressed = 0
    }

    /// Queues one message to one recipient (who may have several contact points for the route to choose from).
    /// - Parameter trace: the caller's trace context (`traceparent`), which the accept's span continues.
    public func send(_ request: NoticeRequest, to recipient: Recipient, trace: TraceHeaders = .none) async throws -> Receipt {
        try await accepting(trace) { traceparent in
            let now = clock.now()
            var (notice, gate) = try prepare(request, kind: .single, prefix: "nt", now: now)
            notice.traceparent = traceparent
            try gate.check(recipient, file: nil, line: 0)
            let screen = consentScreen(gate, reading: .single)
            let message = try await screen.screen([NewMessage(id: Identifier.make(prefix: "msg", at: now), recipient: recipient)])[0]
            try await store.enqueue(notice, message: message)
            return Receipt(id: message.id, noticeID: notice.id, total: 1, suppressed: screen.suppressed.value)
        }
    }

    /// Queues one message per recipient of an audience file (CSV or JSON Lines), streaming it.
    /// - Parameter format: the file's format; by default `.jsonl`/`.ndjson` files are JSON Lines, others CSV.
    /// - Parameter trace: the caller's trace context (`traceparent`), which the accept's span continues.
    public func broadcast(
        _ request: NoticeRequest, audienceFile: String, format: AudienceReader.Format? = nil, trace: TraceHeaders = .none
    ) async throws -> Receipt {
        try await broadcast(request, audience: AudienceFileSource(path: audienceFile, format: format), label: audienceFile, trace: trace)
    }

    /// Queues one message per stored recipient of `segment` (everyone when `nil`), streaming them.
    /// - Throws: `IntakeError.emptyAudience` when the segment has nobody.
    public func broadcast(_ request: NoticeRequest, segment: String?, trace: TraceHeaders = .none) async throws -> Receipt {
        guard try await store.recipientCount(segment: segment) > 0 else { throw IntakeError.emptyAudience(segment: segment) }
        return try await broadcast(request, audience: try store.recipientStream(segment: segment), label: Self.label(segment: segment), trace: trace)
    }

    private func broadcast(
        _ request: NoticeRequest, audience: sending any BatchSource<AudienceEntry>, label: String, trace: TraceHeaders
    ) async throws -> Receipt {
        let audience = Transfer(value: audience)
        return try await accepting(trace) { traceparent in
            let now = clock.now()
            var (notice, gate) = try prepare(request, kind: .broadcast, prefix: "bc", now: now)
            notice.traceparent = traceparent
            let screen = consentScreen(gate, reading: .broadcast)
            let total = try await store.enqueue(
                notice, messages: AudienceMessageSource(audience.value, gate: gate, consent: screen, label: label, now: now)
            )
            return Receipt(id: notice.id, noticeID: notice.id, total: total, suppressed: screen.suppressed.value)
        }
    }

    /// Renders every message of a broadcast to an audience file without queueing anything. The file is
    /// read on the blocking thread pool, never on the event loop that asked.
    public func dryRun(_ request: NoticeRequest, audienceFile: String, format: AudienceReader.Format? = nil) async throws -> DryRunReport {
        try await dryRun(request, audience: AudienceFileSource(path: audienceFile, format: format), label: audienceFile)
    }

    /// Renders every message of a broadcast to a segment (everyone when `nil`) without queueing
    /// anything; the segment is read a page at a time.
    public func dryRun(_ request: NoticeRequest, segment: String?) async throws -> DryRunReport {
        try await dryRun(request, audience: try store.recipientStream(segment: segment), label: Self.label(segment: segment))
    }

    private static func label(segment: String?) -> String {
        segment.map { "segment \($0)" } ?? "all recipients"
    }

    private func dryRun(_ request: NoticeRequest, audience: sending any BatchSource<AudienceEntry>, label: String) async throws -> DryRunReport {
        let (_, gate) = try prepare(request, kind: .broadcast, prefix: "bc", now: clock.now())
        let rows = CheckedAudience(audience) { recipient, line in try gate.check(recipient, file: label, line: line) }
        let screen = consentScreen(gate, reading: .broadcast)
        let fate = try await store.sharedFate()
        var report = DryRunReport()
        while let batch = try await rows.nextBatch(limit: Self.dryRunBatchSize, { (recipient: $0, line: $1) }) {
            for (recipient, line) in batch {
                try sample(request, to: recipient, line: line, label: label, gate: gate, fate: fate, into: &report)
            }
            _ = try await screen.screen(batch.map { NewMessage(id: "", recipient: $0.recipient) })
        }
        report.suppressed = screen.suppressed.value
        return report
    }

    /// Rows a dry run reads per batch.
    static let dryRunBatchSize = 2000

    /// Counts one recipient of a dry run, rendering it when it is the first of its channel and locale
    /// (or has an SMS text to measure).
    private func sample(
        _ request: NoticeRequest, to recipient: Recipient, line: Int, label: String, gate: RecipientGate, fate: SharedFate, into report: inout DryRunReport
    ) throws {
        let locale = gate.locale(for: recipient)
        let plan = planner.plan(route: gate.route, from: 0, recipient: recipient, fate: fate)
        for skip in plan.skipped where skip.reason.isHeldBack { report.heldBack[skip.channel] = skip.reason.description }
        let channel = plan.target?.channel ?? "-"
        report.add(locale: locale, channel: channel)
        let key = "\(channel)/\(locale)"
        let needsSMS = recipient.contacts.phone != nil && !gate.smsChannels.isEmpty
        guard report.samples[key] == nil || needsSMS else { return }
        let rendered: RenderedNotice
        do {
            rendered = try templates.render(request.template, locale: locale, context: gate.context(for: recipient))
        } catch {
            throw IntakeError.renderFailed(file: label, line: line, error)
        }
        if report.samples[key] == nil { report.samples[key] = DryRunReport.Sample(channel: channel, recipient: recipient, rendered: rendered) }
        if needsSMS, let overlong = gate.overlongSMS(rendered) {
            report.overlongSMS += 1
            if report.firstOverlongSMS == nil { report.firstOverlongSMS = "\(label):\(line): \(overlong)" }
        }
    }

    private func consentScreen(_ gate: RecipientGate, reading: ConsentScreen.Reading) -> ConsentScreen {
        ConsentScreen(store: store, planner: planner, route: gate.route, category: gate.template.category, reading: reading)
    }

    /// Checks a request as a broadcast would (template, variables, route, lifetime) without queueing it.
    public func validate(_ request: NoticeRequest) throws(IntakeError) {
        _ = try prepare(request, kind: .broadcast, prefix: "bc", now: clock.now())
    }

    private func prepare(_ request: NoticeRequest, kind: Notice.Kind, prefix: String, now: Date) throws(IntakeError) -> (Notice, RecipientGate) {
        let route: [String]
        do { route = try configuration.resolveRoute(request.route) } catch { throw .route(error) }
        if let locale = request.locale, let problem = ContactValidator.localeProblem(locale) { throw .invalidField("locale", reason: problem) }
        for (name, value) in request.vars where value.longestText > NoticeRequest.maximumVariableBytes {
            throw .invalidField("vars/\(name)", reason: "is longer than \(NoticeRequest.maximumVariableBytes / 1024) KiB")
        }
        let lifetime = request.expiresIn ?? configuration.retry.expireAfter
        guard lifetime > .zero else { throw .invalidField("expires_in", reason: "must be longer than zero") }
        let gate = try RecipientGate(
            request: request, route: route, planner: planner, templates: templates, memo: renderChecks, now: now,
            refusesOverlongSMS: kind == .single, egress: configuration.egress, unsubscribeLinks: configuration.unsubscribeLinks
        )
        let notice = Notice(
            id: Identifier.make(prefix: prefix, at: now), kind: kind, template: request.template, vars: request.storedVars, locale: request.locale,
            route: route, priority: request.priority, collapseKey: request.collapseKey, expiresAt: now + lifetime.timeInterval,
            incidentID: request.incidentID, createdAt: now
        )
        return (notice, gate)
    }
}

/// What `broadcast --dry-run` found: audience size, counts per locale and per first channel, and the
/// first render for each channel and locale.
public struct DryRunReport: Sendable {
    public var total = 0
    public var byLocale: [String: Int] = [:]
    public var byChannel: [String: Int] = [:]
    /// `channel/locale` → the first recipient for that pair, rendered.
    public var samples: [String: Sample] = [:]
    /// Recipients whose SMS text would exceed an SMS channel's `max_segments` (they would fall back along the route).
    public var overlongSMS = 0
    /// Where the first of them is, and by how much.
    public var firstOverlongSMS: String?
    /// Recipients the suppression list rules out: they would be queued already `suppressed`.
    public var suppressed = 0
    /// Channels of the route that a service they depend on holds back now, with why (`depends on Messenger (outage)`).
    public var heldBack: [String: String] = [:]

    /// The first recipient a channel and locale would get, and what they would get.
    public struct Sample: Sendable {
        /// The channel's name, `-` when no channel of the route can reach the recipient.
        public var channel: String
        public var recipient: Recipient
        public var rendered: RenderedNotice
    }

    mutating func add(locale: String, channel: String) {
        total += 1
        byLocale[locale, default: 0] += 1
        byChannel[channel, default: 0] += 1
    }
}
