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
    @Flag(help: "Deliver in this process and exit 0 only if every message was delivered.") var wait = false

    func run() async throws {
        let request = try notice.request(template: template)
        let runtime = try HeraldRuntime(options: global)
        try await runtime.withStore { store in
            let intake = runtime.makeIntake(store: store)
            if dryRun {
                let report =
                    if let audience { try await intake.dryRun(request, audienceFile: audience) } else { try await intake.dryRun(request, segment: segment) }
                print(DryRunPrinter.format(report), terminator: "")
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

/// The text `broadcast --dry-run` prints.
enum DryRunPrinter {
    static func format(_ report: DryRunReport) -> String {
        var out = "audience: \(report.total) recipients (nothing queued)\n"
        out += "by locale:  " + report.byLocale.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + "\n"
        out += "by channel: " + report.byChannel.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + "\n"
        if let first = report.firstOverlongSMS {
            out += "sms over max_segments: \(report.overlongSMS) (not cut: they fall back along the route); first: \(first)\n"
        }
        for (key, sample) in report.samples.sorted(by: { $0.key < $1.key }) {
            out += "\n=== first render: \(key) ===\n"
            if let subject = sample.subject { out += "subject: \(subject)\n" }
            if let text = sample.text { out += text }
            if let sms = sample.sms { out += "sms: \(sms)\n" }
        }
        return out
    }
}
