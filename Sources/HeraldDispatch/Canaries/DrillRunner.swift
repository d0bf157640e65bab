import Foundation
import HeraldCore
import HeraldStore
import Logging

/// `herald drill`: rehearses the outage on the real configuration and the real channels.
///
/// With the `down` channels treated as down, each canary's channel is reached the way a notice would
/// reach it on that day: along the default route, past the down channels before it (their circuits
/// open and their transport refusing), then through the channel itself. The drill runs on a queue of
/// its own in memory, so no other process, stored circuit or canary result sees it; only its report
/// is kept (`CanaryLedger.saveDrill`).
public struct DrillRunner: Sendable {
    let configuration: HeraldConfiguration
    let templates: TemplateLibrary
    let clock: any WallClock
    let logger: Logger

    public init(configuration: HeraldConfiguration, templates: TemplateLibrary, clock: any WallClock, logger: Logger) {
        self.configuration = configuration
        self.templates = templates
        self.clock = clock
        self.logger = logger
    }

    /// How long a drill's message may wait for its channel before the drill stops waiting.
    static let patience: Duration = .seconds(600)

    /// The path each canary's channel is reached by, in canary order: `nil` for a channel that is down itself.
    /// - Throws: `DrillError` for an unknown channel in `down`, or no canaries to drill.
    public func plan(down: [String]) throws(DrillError) -> [(canary: CanarySettings, route: [String]?)] {
        guard !configuration.canaries.isEmpty else { throw .noCanaries }
        for name in down where configuration.channel(named: name) == nil {
            throw .unknownChannel(name, known: configuration.channels.map(\.name))
        }
        let route = configuration.defaultRoute
        return configuration.canaries.map { canary in
            guard !down.contains(canary.channel) else { return (canary, nil) }
            let position = route.firstIndex(of: canary.channel) ?? route.count
            return (canary, route[..<position].filter(down.contains) + [canary.channel])
        }
    }

    /// The plan as `--dry-run` prints it.
    public func planText(down: [String]) throws(DrillError) -> String {
        let lines = try plan(down: down).map { canary, route in
            guard let route else { return "  \(canary.channel): down in this drill" }
            return "  \(canary.channel): " + route.map { down.contains($0) ? "\($0) (down)" : $0 }.joined(separator: " → ")
        }
        return (["drill plan, down: \(down.isEmpty ? "none" : down.joined(separator: ", "))"] + lines).joined(separator: "\n")
    }

    /// Runs the drill through `channels` (the configured channels, made as `serve` makes them).
    public func run(down: [String], channels: [ConfiguredChannel]) async throws -> DrillReport {
        let plan = try plan(down: down)
        let startedAt = clock.now()
        let queue = MemoryMessageStore()
        for name in down {
            // Open as every node would see it after the channel failed: the planner passes it over.
            try await queue.saveCircuit(CircuitRecord(channel: name, state: .open, consecutiveFailures: configuration.circuit.openAfter, changedAt: startedAt))
        }
        let timed = channels.filter { !down.contains($0.name) }.map { ($0.name, TimedChannel($0.transport, clock: clock)) }
        let clocks = Dictionary(timed, uniquingKeysWith: { first, _ in first })
        let rigged = channels.map { channel in
            ConfiguredChannel(
                settings: channel.settings, transport: clocks[channel.name] ?? DownChannel(name: channel.name, kind: channel.settings.kind)
            )
        }
        let intake = NoticeIntake(configuration: configuration, templates: templates, store: queue, clock: clock).with(source: "drill")
        var queued: [(canary: CanarySettings, route: [String], messageID: String, at: Date)] = []
        for (canary, route) in plan {
            guard let route else { continue }
            let receipt = try await intake.send(.canary(canary, purpose: "drill", route: route, expiresIn: Self.patience), to: recipient(reaching: canary))
            queued.append((canary, route, receipt.id, clock.now()))
        }
        let pipeline = DeliveryPipeline(
            store: queue, channels: rigged, templates: templates, clock: clock,
            configuration: .init(retry: configuration.retry, circuit: configuration.circuit, unsubscribeLinks: configuration.unsubscribeLinks),
            telemetry: DeliveryTelemetry(logger: logger)
        )
        try await DeliveryWorker(store: queue, pipeline: pipeline, clock: clock, configuration: .init(owner: "drill"), logger: logger).drain()

        var paths: [DrillReport.Path] = plan.compactMap { canary, route in
            route == nil ? DrillReport.Path(canary: canary.channel, route: [], outcome: .down) : nil
        }
        for entry in queued {
            let delivered = clocks[entry.canary.channel]?.finishedAt(entry.messageID)
            if let delivered {
                paths.append(.init(canary: entry.canary.channel, route: entry.route, outcome: .delivered, seconds: delivered.timeIntervalSince(entry.at)))
            } else {
                let detail = try await queue.message(id: entry.messageID)
                let reason = detail?.attemptLog.last { $0.channel == entry.canary.channel }?.error ?? detail?.message.lastError
                paths.append(.init(canary: entry.canary.channel, route: entry.route, outcome: .failed, reason: reason ?? "not delivered"))
            }
        }
        let order = configuration.canaries.map(\.channel)
        paths.sort { (order.firstIndex(of: $0.canary) ?? 0) < (order.firstIndex(of: $1.canary) ?? 0) }
        return DrillReport(ranAt: startedAt, down: down, paths: paths)
    }

    /// Every canary's contact point at once, the canary's own winning for its kind: the drill's message
    /// can be reached on each channel of its route, as an operator's real audience could.
    func recipient(reaching canary: CanarySettings) -> Recipient {
        var contacts = ContactPoints()
        for other in configuration.canaries.reversed() + [canary] {
            let own = other.recipient(kind: configuration.channel(named: other.channel)?.kind ?? .outbox).contacts
            contacts = ContactPoints(email: own.email ?? contacts.email, phone: own.phone ?? contacts.phone, webhook: own.webhook ?? contacts.webhook)
        }
        return Recipient(id: "drill:\(canary.channel)", name: "Herald drill", contacts: contacts)
    }
}

/// Why a drill cannot run.
public enum DrillError: Error, Sendable, Hashable, CustomStringConvertible {
    case noCanaries
    case unknownChannel(String, known: [String])

    public var description: String {
        switch self {
        case .noCanaries: "no canaries are configured: a drill sends the canary template to each canary's contact point (canaries: [{ channel, to, every }])"
        case .unknownChannel(let name, let known): "--down: unknown channel '\(name)' (configured: \(known.joined(separator: ", ")))"
        }
    }
}
