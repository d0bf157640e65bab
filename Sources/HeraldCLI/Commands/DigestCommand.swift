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

        func run() async throws {
            let runtime = try HeraldRuntime(options: global)
            let now = runtime.clock.now()
            for digest in runtime.configuration.digests {
                let cron = digest.cron
                let next = cron?.next(after: now).map { $0.formatted(.iso8601) } ?? "never"
                let zone = cron?.timeZone.identifier ?? "UTC"
                print([digest.name, digest.schedule, zone, "next \(next)", digest.template, digest.segment ?? "everyone", "while \(digest.condition.rawValue)"]
                    .joined(separator: "\t"))
            }
        }
    }

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Queue a digest now, whatever its schedule, and print the broadcast id.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The digest's name.") var name: String

        func run() async throws {
            let runtime = try HeraldRuntime(options: global)
            let receipt = try await runtime.withStore { store in
                try await DigestScheduler(
                    digests: runtime.configuration.digests, store: store, intake: runtime.makeIntake(store: store), clock: runtime.clock,
                    logger: HeraldRuntime.logger("herald.digest")
                ).runNow(name)
            }
            guard let receipt else { throw ValidationError("digest '\(name)' has nothing to report: no incident is open") }
            print(receipt.id)
        }
    }
}
