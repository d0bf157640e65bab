import Foundation

/// A throwaway certificate for `localhost` and `127.0.0.1`, made with the openssl command line.
public struct SelfSignedCertificate: Sendable {
    public let certificatePath: String
    public let keyPath: String

    /// The certificate in PEM, for a client that is told to trust it.
    public var pem: [UInt8] { Array((try? Data(contentsOf: URL(fileURLWithPath: certificatePath))) ?? Data()) }

    /// Runs openssl (waiting for it without blocking a thread).
    public static func make(in directory: String) async throws -> SelfSignedCertificate {
        let certificate = SelfSignedCertificate(certificatePath: directory + "/server.crt", keyPath: directory + "/server.key")
        let (certificatePath, keyPath) = (certificate.certificatePath, certificate.keyPath)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", keyPath, "-out", certificatePath,
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let exited = AsyncStream<Int32> { continuation in
            process.terminationHandler = { process in
                continuation.yield(process.terminationStatus)
                continuation.finish()
            }
        }
        try process.run()
        for await status in exited where status != 0 {
            throw SMTPTestError.commandFailed("openssl req exited \(status)")
        }
        return certificate
    }
}
