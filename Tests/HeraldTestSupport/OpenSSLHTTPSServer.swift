import Foundation

/// `openssl s_server -www` on a free port on 127.0.0.1 with a throwaway self-signed certificate: a
/// real HTTPS server nobody here wrote, for the certificate-verification tests.
public final class OpenSSLHTTPSServer: @unchecked Sendable {
    public var port: Int { server.port }
    public var url: String { "https://127.0.0.1:\(port)" }
    private let server: ServerProcess
    private let directory: TemporaryDirectory

    public init() async throws {
        let directory = TemporaryDirectory()
        self.directory = directory
        let certificate = try await SelfSignedCertificate.make(in: directory.path)
        server = try await ServerProcess.start(executable: "/usr/bin/openssl") { port in
            ["s_server", "-accept", "127.0.0.1:\(port)", "-cert", certificate.certificatePath, "-key", certificate.keyPath, "-www", "-quiet"]
        }
    }

    public func stop() async {
        await server.stop()
    }
}
