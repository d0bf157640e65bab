import ArgumentParser
import Foundation
import HeraldCore
import HeraldDispatch

/// `herald digest list` (next run times) and `herald digest run NAME` (now).
struct DigestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "digest", abstract: "The scheduled status digests of `digests:`.", subcommands: [List.self, Run.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Each digest with its schedule, time zone and next run.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Print one JSON object per digest.") var json = false

        /// One digest as `--json` prints it.
        struct Line: Encodable {
            var name, schedule, timeZone, template: String
            var segment: String?
            var next: Date?
            var condition: String

            enum CodingKeys: String, CodingKey {
                case name, schedule, timeZone = "time_zone", template, segment, next, condition = "while"
            }
        }

        func run() async throws {
            let runtime = try HeraldRuntime(options: global)
            let now = runtime.clock.now()
            for digest in runtime.configuration.digests {
                let cron = digest.cron
                let line = Line(
                    name: digest.name, schedule: digest.schedule, timeZone: cron?.timeZone.identifier ?? "UTC", template: digest.template,
                    segment: digest.segment, next: cron?.next(after: now), condition: digest.condition.rawValue
                )
                if json {
                    try JSONOutput.print(line)
                } else {
                    let next = line.next.map { $0.formatted(.iso8601) } ?? "never"
                    print([line.name, line.schedule, line.timeZone, "next \(next)", line.template, line.segment ?? "everyone", "while \(line.condition)"]
                        .joined(separator: "\t"))
                }
            }
        }
    }

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Queue a digest now, whatever its schedule, and print the broadcast id.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The digest's name.") var name: String
        @Flag(help: "Deliver in this process; exit 0 only if every message was delivered.") var wait = false

        func run() async throws {
            let runtime = try HeraldRuntime(options: global)
            try await runtime.withStore { store in
                let receipt = try await DigestScheduler(
                    digests: runtime.configuration.digests, store: store, intake: runtime.makeIntake(store: store), clock: runtime.clock,
                    logger: runtime.options.logger("herald.digest")
                ).runNow(name)
                guard let receipt else { throw CommandFailure("digest '\(name)' has nothing to report: no incident is open") }
                try await DeliveryWaiter(runtime: runtime, store: store).conclude(receipt, wait: wait)
            }
        }
    }
}
