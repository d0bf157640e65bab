import Foundation

/// A receiver that misbehaves on purpose, as a Python process on 127.0.0.1 (nothing of Herald's in
/// it): it reads a request head, then answers per `mode`.
///
/// - `endlessBody`: `500` with a chunked body that never ends.
/// - `notHTTP`: an SSH banner instead of an HTTP answer.
/// - `redirect`: `302 Found` to the cloud metadata address.
public final class HostileHTTPServer: @unchecked Sendable {
    public enum Mode: String, Sendable, CaseIterable {
        case endlessBody = "endless-body"
        case notHTTP = "not-http"
        case redirect
    }

    public var port: Int { server.port }
    public var url: String { "http://127.0.0.1:\(port)" }
    private let server: ServerProcess

    public init(_ mode: Mode) async throws {
        server = try await ServerProcess.start(executable: "/usr/bin/python3") { port in ["-c", Self.script, String(port), mode.rawValue] }
    }

    public func stop() async {
        await server.stop()
    }

    private static let script = #"""
        import socket, sys, threading, time
        port, mode = int(sys.argv[1]), sys.argv[2]
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", port))
        listener.listen(16)
        def serve(connection):
            try:
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = connection.recv(65536)
                    if not chunk:
                        return
                    data += chunk
                if mode == "endless-body":
                    connection.sendall(b"HTTP/1.1 500 Internal Server Error\r\nTransfer-Encoding: chunked\r\n\r\n")
                    while True:
                        connection.sendall(b"400\r\n" + b"x" * 1024 + b"\r\n")
                        time.sleep(0.005)
                elif mode == "not-http":
                    connection.sendall(b"SSH-2.0-OpenSSH_9.2\r\n")
                    time.sleep(30)
                elif mode == "redirect":
                    connection.sendall(b"HTTP/1.1 302 Found\r\nLocation: http://169.254.169.254/latest/meta-data/\r\nContent-Length: 0\r\n\r\n")
                    time.sleep(30)
            except OSError:
                pass
            finally:
                connection.close()
        while True:
            connection, _ = listener.accept()
            threading.Thread(target=serve, args=(connection,), daemon=True).start()
        """#
}
