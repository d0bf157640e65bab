import Foundation
import NIOCore
import NIOPosix

/// A real SMTP server nobody here wrote: Python's aiosmtpd (installed by scripts/test), storing every
/// message it accepts in a maildir, on a free port on 127.0.0.1.
final class AiosmtpdServer: @unchecked Sendable {
    let port: Int
    let maildir: String
    private let process = Process()

    init() async throws {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        port = channel.localAddress?.port ?? 0
        try await channel.close()
        maildir = NSTemporaryDirectory() + "aiosmtpd-" + UUID().uuidString
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-m", "aiosmtpd", "-n", "-l", "127.0.0.1:\(port)", "-c", "aiosmtpd.handlers.Mailbox", maildir]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        try await waitUntilListening()
    }

    /// The server takes a moment to start listening: try to connect until it does (bounded).
    private func waitUntilListening() async throws {
        for _ in 0..<200 {
            if let channel = try? await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: port).get() {
                try? await channel.close()
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw SMTPTestError.serverDidNotStart(port)
    }

    /// The raw messages stored so far.
    var messages: [String] {
        let folder = maildir + "/new"
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
        return names.compactMap { try? String(contentsOfFile: "\(folder)/\($0)", encoding: .utf8) }
    }

    /// Kills the server (aiosmtpd ignores SIGTERM in this mode) and waits for it to exit.
    func stop() async {
        let exited = AsyncStream<Void> { continuation in
            process.terminationHandler = { _ in continuation.finish() }
        }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        for await _ in exited {}
        try? FileManager.default.removeItem(atPath: maildir)
    }
}

enum SMTPTestError: Error { case serverDidNotStart(Int) }
