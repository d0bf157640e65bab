import Foundation
import HeraldSinks

/// Postfix's `smtp-sink` (Debian's postfix package, installed by scripts/test) on a free port on
/// 127.0.0.1: a fast, PIPELINING SMTP server that accepts everything and dumps each message to a file.
public final class PostfixSMTPSink: @unchecked Sendable {
    public static let executable = "/usr/sbin/smtp-sink"

    public var port: Int { server.port }
    public let dumpFolder: String
    private let server: ServerProcess

    public init() async throws {
        let port = try await HTTPSink.closedPort()
        dumpFolder = NSTemporaryDirectory() + "smtp-sink-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dumpFolder, withIntermediateDirectories: true)
        chmod(dumpFolder, 0o777)
        // -u: smtp-sink drops root privileges to this user; -d: one file per message.
        server = try await ServerProcess(
            executable: Self.executable, arguments: ["-u", "nobody", "-d", dumpFolder + "/%M.", "127.0.0.1:\(port)", "64"], port: port
        )
    }

    /// Every message dumped so far, with smtp-sink's `X-…-Args` envelope headers first.
    public var messages: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dumpFolder)) ?? []
        return names.sorted().compactMap { try? String(contentsOfFile: "\(dumpFolder)/\($0)", encoding: .utf8) }
    }

    public func stop() async {
        await server.stop()
        try? FileManager.default.removeItem(atPath: dumpFolder)
    }
}
