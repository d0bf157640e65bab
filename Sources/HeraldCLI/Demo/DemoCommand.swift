import ArgumentParser
import Foundation
import HeraldSinks

/// `herald demo` — the outage day on this machine, with nothing to set up.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Replay an outage day against in-process webhook, SMTP and SMS receivers; exit 0 only if every notice arrived."
    )

    @Option(help: "The templates folder.") var templates = "Templates"

    func run() async throws {
        let folder = NSTemporaryDirectory() + "herald-demo-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let sinks = try await DemoSinks.start()
        let outcome: Bool
        do {
            let day = try OutageDay(folder: folder, templates: URL(fileURLWithPath: templates).standardizedFileURL.path, sinks: sinks)
            outcome = try await day.run()
        } catch {
            await sinks.stop()
            throw error
        }
        await sinks.stop()
        if !outcome { throw ExitCode.failure }
    }
}

/// The receivers the demo delivers to, all on 127.0.0.1: an SMS gateway, an SMTP server, and the
/// messenger's webhook endpoint — a port that refuses connections until the messenger comes back.
final class DemoSinks: @unchecked Sendable {
    let smsGateway: HTTPSink
    let mail: ScriptedSMTPServer
    let messengerPort: Int
    /// The messenger once it is back (`restoreMessenger`).
    private(set) var messenger: HTTPSink?

    private init(smsGateway: HTTPSink, mail: ScriptedSMTPServer, messengerPort: Int) {
        self.smsGateway = smsGateway
        self.mail = mail
        self.messengerPort = messengerPort
    }

    static func start() async throws -> DemoSinks {
        DemoSinks(
            smsGateway: try await HTTPSink.start { _, _ in .status(202) }, mail: try await ScriptedSMTPServer.start(),
            messengerPort: try HTTPSink.refusingPort()
        )
    }

    /// Starts listening on the messenger's port.
    func restoreMessenger() async throws {
        messenger = try await HTTPSink.start(port: messengerPort)
    }

    func stop() async {
        await smsGateway.stop()
        await mail.stop()
        await messenger?.stop()
    }
}
