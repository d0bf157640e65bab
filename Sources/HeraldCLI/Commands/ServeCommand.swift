import ArgumentParser
import Foundation
import HeraldAPI
import HeraldCore
import HeraldDispatch
import HeraldTelemetry
import Hummingbird
import Logging
import NIOCore

/// `herald serve` — the HTTP API, the delivery workers, the digest and canary schedulers in one process, one
/// `ServiceGroup`. The port is bound before the workers and the scheduler start, so a port that is
/// taken stops the command before anything is delivered.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Run the HTTP API, the delivery workers and the digest scheduler until SIGTERM or SIGINT (then exit 0)."
    )
    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp("Listen here instead of http.listen; port 0 picks a free port.", valueName: "HOST:PORT")) var listen: String?
    @Flag(help: "Log one JSON object per line.") var json = false

    func validate() throws {
        if let listen, Self.split(listen) == nil { throw ValidationError("--listen: expected HOST:PORT with a port from 0 to 65535, got '\(listen)'") }
    }

    /// `HOST:PORT` → its parts, or `nil` when it is not that.
    static func split(_ address: String) -> (host: String, port: Int)? {
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]), (0...65535).contains(port) else { return nil }
        return (String(address[..<colon]), port)
    }

    func run() async throws {
        let listening = ReadyLatch()
        var address = listen ?? ""
        do {
            try await WorkerHost.run(options: global, label: "herald.serve", jsonLogs: json) { runtime, store, worker, logger, observability in
                address = listen ?? runtime.configuration.http.listen
                guard let (host, port) = Self.split(address) else {
                    throw CommandFailure("\(runtime.configPath): http.listen: expected HOST:PORT, got '\(address)'")
                }
                if let problem = runtime.configuration.http.exposureProblem(listen: address) {
                    throw CommandFailure("\(listen == nil ? "\(runtime.configPath): http.tokens" : "--listen \(address)"): \(problem)")
                }
                if runtime.configuration.http.tokens.isEmpty {
                    logger.warning("http.tokens is empty: every /v1 request will be refused with 401")
                }
                let intake = runtime.makeIntake(store: store, telemetry: observability.intake(source: "api"))
                let services = APIServices(
                    configuration: runtime.configuration, store: store, intake: intake, clock: runtime.clock,
                    workersRunning: { !worker.isStopping }
                )
                let app = HeraldAPIServer.application(services: services, metrics: observability.metrics, host: host, port: port, logger: logger) { bound in
                    // Scripts and tests read this line to find a port chosen with :0.
                    FileHandle.standardOutput.write(Data("listening on http://\(host):\(bound)\n".utf8))
                    listening.open(true)
                }
                let digests = DigestScheduler(digests: runtime.configuration.digests, store: store, intake: intake, clock: runtime.clock, logger: logger)
                let canaries = CanaryScheduler(configuration: runtime.configuration, store: store, intake: intake, clock: runtime.clock, logger: logger)
                return WorkerHost.Extras(first: [app], more: [digests, canaries], ready: { await listening.wait() })
            }
        } catch let error as IOError where [EADDRINUSE, EACCES, EADDRNOTAVAIL].contains(error.errnoCode) {
            throw CommandFailure("cannot listen on \(address): \(String(cString: strerror(error.errnoCode)).lowercased())")
        }
    }
}
