import Foundation

/// Postfix's `smtp-sink` (Debian's postfix package, installed by scripts/test) on a free port on
/// 127.0.0.1: a fast, PIPELINING SMTP server that accepts everything and dumps each message to a file.
public final class PostfixSMTPSink: @unchecked Sendable {
    public static let executable = "/usr/sbin/smtp-sink"

    public let port: Int
    public let dumpFolder: String
    private let process = Process()

    public init() async throws {
        port = try await AiosmtpdServer.freePort()
        dumpFolder = NSTemporaryDirectory() + "smtp-sink-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dumpFolder, withIntermediateDirectories: true)
        chmod(dumpFolder, 0o777)
        process.executableURL = URL(fileURLWithPath: Self.executable)
        // -u: smtp-sink drops root privileges to this user; -d: one file per message.
        process.arguments = ["-u", "nobody", "-d", dumpFolder + "/%M.", "127.0.0.1:\(port)", "64"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        try await waitUntilListening()
    }

    private func waitUntilListening() async throws {
        for _ in 0..<200 {
            if (try? await AiosmtpdServer.canConnect(port: port)) == true { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw SMTPTestError.serverDidNotStart(port)
    }

    /// Every message dumped so far, with smtp-sink's `X-…-Args` envelope headers first.
    public var messages: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dumpFolder)) ?? []
        return names.sorted().compactMap { try? String(contentsOfFile: "\(dumpFolder)/\($0)", encoding: .utf8) }
    }

    public func stop() async {
        let exited = AsyncStream<Void> { continuation in
            process.terminationHandler = { _ in continuation.finish() }
        }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        for await _ in exited {}
        try? FileManager.default.removeItem(atPath: dumpFolder)
    }
}
