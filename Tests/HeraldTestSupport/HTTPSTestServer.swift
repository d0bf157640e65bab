import Foundation

/// A real HTTPS server nobody here wrote, on a free port on 127.0.0.1 with a throwaway self-signed
/// certificate (CN and SAN `localhost`, `127.0.0.1`):
///
/// - `.openSSL`: `openssl s_server -www`, for the certificate-verification tests (it never answers a POST).
/// - `.python`: Python's own `http.server` behind its `ssl` module, for the TLS path that succeeds. It
///   answers a POST with 204 when the body is JSON and a `webhook-signature` header came with it, else 400.
public final class HTTPSTestServer: @unchecked Sendable {
    public enum Software: Sendable {
        case openSSL
        case python
    }

    public var port: Int { server.port }
    public var url: String { "https://127.0.0.1:\(port)" }
    private let server: ServerProcess
    private let directory: TemporaryDirectory

    public init(_ software: Software) async throws {
        let directory = TemporaryDirectory()
        self.directory = directory
        let certificate = try await SelfSignedCertificate.make(in: directory.path)
        let (cert, key) = (certificate.certificatePath, certificate.keyPath)
        switch software {
        case .openSSL:
            server = try await ServerProcess.start(executable: "/usr/bin/openssl") { port in
                ["s_server", "-accept", "127.0.0.1:\(port)", "-cert", cert, "-key", key, "-www", "-quiet"]
            }
        case .python:
            server = try await ServerProcess.start(executable: "/usr/bin/python3") { port in ["-c", Self.pythonReceiver, String(port), cert, key] }
        }
    }

    public func stop() async {
        await server.stop()
    }

    private static let pythonReceiver = #"""
        import http.server, json, ssl, sys
        port, certificate, key = int(sys.argv[1]), sys.argv[2], sys.argv[3]
        class Receiver(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                try:
                    json.loads(body)
                    status = 204 if self.headers.get("webhook-signature") else 400
                except ValueError:
                    status = 400
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()
            def log_message(self, *arguments):
                pass
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Receiver)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(certificate, key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        server.serve_forever()
        """#
}
