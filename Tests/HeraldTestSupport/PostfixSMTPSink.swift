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
        let dumpFolder = NSTemporaryDirectory() + "smtp-sink-" + UUID().uuidString
        self.dumpFolder = dumpFolder
        try FileManager.default.createDirectory(atPath: dumpFolder, withIntermediateDirectories: true)
        chmod(dumpFolder, 0o777)
        // -u: smtp-sink drops root privileges to this user; -d: one file per message.
        server = try await ServerProcess.start(executable: Self.executable) { port in
            ["-u", "nobody", "-d", dumpFolder + "/%M.", "127.0.0.1:\(port)", "64"]
        }
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
