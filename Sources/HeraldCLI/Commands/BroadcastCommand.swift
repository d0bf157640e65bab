import ArgumentParser
import Foundation
import HeraldCore
import HeraldDispatch

/// `herald broadcast TEMPLATE --audience FILE.csv|.jsonl | --segment NAME | --all [--dry-run] [--wait]`
struct BroadcastCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "broadcast",
        abstract: "Queue one notice per recipient of an audience, whole or not at all, and print the broadcast id."
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Template name, e.g. outage-apology.") var template: String
    @Option(help: ArgumentHelp("Audience file: CSV (id,name,locale,email,phone,webhook,segments) or JSON Lines.", valueName: "FILE"))
    var audience: String?
    @Option(help: ArgumentHelp("Every stored recipient of this segment (see `herald audience import`).", valueName: "NAME"))
    var segment: String?
    @Flag(help: "Every stored recipient.") var all = false

    func validate() throws {
        let given = [audience != nil, segment != nil, all].filter { $0 }.count
        guard given == 1 else { throw ValidationError("give exactly one of --audience FILE, --segment NAME or --all") }
    }
    @OptionGroup var notice: NoticeOptions
    @Flag(name: .customLong("dry-run"), help: "Render every message and report counts; queue nothing.") var dryRun = false
    @Flag(help: "Deliver in this process; exit 0 only if every message was delivered (2 if not). The id is printed first.") var wait = false

    func run() async throws {
        let request = try notice.request(template: template)
        let runtime = try HeraldRuntime(options: global)
        try await runtime.withStore { store in
            let intake = runtime.makeIntake(store: store)
            if dryRun {
                let report =
                    if let audience { try await intake.dryRun(request, audienceFile: audience) } else { try await intake.dryRun(request, segment: segment) }
                print(DryRunPrinter.format(report, request: request, configuration: runtime.configuration, now: runtime.clock.now()), terminator: "")
                return
            }
            let receipt: NoticeIntake.Receipt
            if let audience {
                receipt = try await intake.broadcast(request, audienceFile: audience)
            } else {
                receipt = try await intake.broadcast(request, segment: segment)
            }
            try await DeliveryWaiter(runtime: runtime, store: store).conclude(receipt, wait: wait)
        }
    }
}

/// The text `broadcast --dry-run` prints: counts, then the first render for each channel and locale,
/// as that channel would send it.
enum DryRunPrinter {
    static func format(_ report: DryRunReport, request: NoticeRequest, configuration: HeraldConfiguration, now: Date) -> String {
        var out = "audience: \(report.total) recipients (nothing queued)\n"
        out += "by locale:  " + report.byLocale.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + "\n"
        out += "by channel: " + report.byChannel.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + "\n"
        for (channel, reason) in report.heldBack.sorted(by: { $0.key < $1.key }) {
            out += "held back now: \(channel) (\(reason)): recipients go to the next channel of the route\n"
        }
        if report.suppressed > 0 {
            out += "suppressed: \(report.suppressed) (on the suppression list: they would be queued already suppressed)\n"
        }
        if let first = report.firstOverlongSMS {
            out += "sms over max_segments: \(report.overlongSMS) (not cut: they fall back along the route); first: \(first)\n"
        }
        for (key, sample) in report.samples.sorted(by: { $0.key < $1.key }) {
            let channel = configuration.channels.first { $0.name == sample.channel }
            out += "\n=== first render: \(key) (to \(sample.recipient.id)) ===\n"
            let delivery = Delivery(
                messageID: "msg_dry_run", recipient: sample.recipient, rendered: sample.rendered, vars: request.vars, noticeID: "bc_dry_run",
                broadcastID: "bc_dry_run", incidentID: request.incidentID, attemptedAt: now
            )
            var maxSegments: Int?
            if case .sms(let sms) = channel?.transport { maxSegments = sms.maxSegments }
            out += NoticePreview.text(of: delivery, kind: channel?.kind, maxSegments: maxSegments)
        }
        return out
    }
}
