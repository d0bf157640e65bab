import ArgumentParser
import Foundation
import HeraldAPI
import HeraldCore
import HeraldDispatch
import Hummingbird
import Logging
import Metrics

/// `herald serve` — the HTTP API, the delivery workers and the digest scheduler in one process, one `ServiceGroup`.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Run the HTTP API, the delivery workers and the digest scheduler until SIGTERM or SIGINT."
    )
    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp("Listen here instead of http.listen; port 0 picks a free port.", valueName: "HOST:PORT")) var listen: String?
    @Flag(help: "Log one JSON object per line.") var json = false

    func run() async throws {
        let metrics = HeraldMetrics()
        MetricsSystem.bootstrap(metrics.factory)
        try await WorkerHost.run(options: global, label: "herald.serve", jsonLogs: json) { runtime, store, worker, logger in
            let address = listen ?? runtime.configuration.http.listen
            guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]), (0...65535).contains(port) else {
                throw ValidationError("\(listen == nil ? "\(runtime.configPath): http.listen" : "--listen"): expected HOST:PORT, got '\(address)'")
            }
            if let problem = runtime.configuration.http.exposureProblem(listen: address) {
                throw ValidationError("\(listen == nil ? "\(runtime.configPath): http.tokens" : "--listen \(address)"): \(problem)")
            }
            if runtime.configuration.http.tokens.isEmpty {
                logger.warning("http.tokens is empty: every /v1 request will be refused with 401")
            }
            let intake = runtime.makeIntake(store: store)
            let services = APIServices(
                configuration: runtime.configuration, store: store, intake: intake, clock: runtime.clock,
                workersRunning: { !worker.isStopping }
            )
            let host = String(address[..<colon])
            let app = HeraldAPIServer.application(services: services, metrics: metrics, host: host, port: port, logger: logger) { bound in
                // Scripts and tests read this line to find a port chosen with :0.
                FileHandle.standardOutput.write(Data("listening on http://\(host):\(bound)\n".utf8))
            }
            let digests = DigestScheduler(digests: runtime.configuration.digests, store: store, intake: intake, clock: runtime.clock, logger: logger)
            return [app, digests]
        }
    }
}
