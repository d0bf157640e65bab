import ArgumentParser
import Foundation
import HeraldCore
import HeraldDispatch
import HeraldStore

/// `herald drill [--down CHANNEL…]`: rehearses the outage on the real configuration and channels,
/// in this process only, and keeps the report for `herald drill --last`.
struct DrillCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drill",
        abstract: "Rehearse the outage: with --down channels treated as down, prove each canary's path along the default route.",
        discussion: """
            Each canary's channel is reached as a notice would reach it with those channels down: past them (circuit open, \
            nothing sent to them), then through the channel itself, to the canary's contact point. Nothing outside this run \
            sees the drill (no stored circuit, no queue); its report is kept. Exit status 2 when a path failed.
            """
    )

    @OptionGroup var global: GlobalOptions
    @Option(name: .customLong("down"), parsing: .upToNextOption, help: ArgumentHelp("Channels to treat as down for this run.", valueName: "CHANNEL"))
    var down: [String] = []
    @Flag(help: "Print the report as JSON.") var json = false
    @Flag(name: .customLong("dry-run"), help: "Print each canary's path without sending.") var dryRun = false
    @Flag(help: "Print the report of the latest drill instead of running one.") var last = false

    func run() async throws {
        let runtime = try HeraldRuntime(options: global)
        if last {
            guard let report = try await runtime.withStore({ try await $0.lastDrill() }) else {
                throw CommandFailure("no drill has run yet (herald drill --down CHANNEL)")
            }
            try show(report)
            return
        }
        let runner = DrillRunner(configuration: runtime.configuration, templates: runtime.templates, clock: runtime.clock, logger: global.logger("herald.drill"))
        var named = Set<String>()
        let down = self.down.filter { named.insert($0).inserted }
        do {
            _ = try runner.plan(down: down)
        } catch { throw CommandFailure("\(error)") }
        if dryRun {
            print(try runner.planText(down: down))
            return
        }
        let report = try await runtime.withStore { store in
            let report = try await runtime.withChannels { channels in try await runner.run(down: down, channels: channels) }
            try await store.saveDrill(report)
            return report
        }
        try show(report)
        guard report.passed else {
            let failed = report.failures.map { "\($0.route.joined(separator: " → ")): \($0.reason ?? "not delivered")" }
            FileHandle.standardError.write(Data("herald drill: \(failed.count) path(s) failed: \(failed.joined(separator: "; "))\n".utf8))
            throw HeraldExit.undelivered
        }
    }

    private func show(_ report: DrillReport) throws {
        if json { try JSONOutput.print(report) } else { print(report.text) }
    }
}
