import Foundation
import NIOCore
import NIOPosix

/// A third-party server run as a child process for a test: started, waited for until it accepts
/// connections (bounded), and killed.
final class ServerProcess: @unchecked Sendable {
    let port: Int
    private let process = Process()

    /// Starts `executable ARGS` and returns once something accepts connections on `port`.
    init(executable: String, arguments: [String], port: Int) async throws {
        self.port = port
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        for _ in 0..<200 {
            if (try? await Self.canConnect(port: port)) == true { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        await stop()
        throw SMTPTestError.serverDidNotStart(port)
    }

    static func canConnect(port: Int) async throws -> Bool {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: port).get()
        try? await channel.close()
        return true
    }

    /// Kills the server (SIGKILL: aiosmtpd ignores SIGTERM in this mode) and waits for it to exit.
    func stop() async {
        let exited = AsyncStream<Void> { continuation in
            process.terminationHandler = { _ in continuation.finish() }
        }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        for await _ in exited {}
    }
}
