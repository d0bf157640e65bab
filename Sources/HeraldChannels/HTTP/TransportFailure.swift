import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// What went wrong below HTTP, read out of SwiftNIO's error types and the pool's own, so the
/// ledger says "connection refused" instead of a library's type dump.
enum TransportFailure: Equatable {
    case timeout
    /// The peer's certificate failed verification (`why` finishes "the certificate of host …").
    case certificate(why: String)
    case tls
    /// Connecting failed: `why` is the system's word for it (connection refused, no route to host).
    case connection(why: String)
    case closed
    /// The peer answered with bytes that are not an HTTP response.
    case notHTTP
    case other

    init(_ error: any Error) {
        switch error {
        case is HTTPParserError:
            self = .notHTTP
        case let error as HTTPExchangeError:
            self = error == .timedOut ? .timeout : .closed
        case let error as NIOConnectionError:
            let reasons = error.connectionErrors.map { TransportFailure($0.error) }
            if error.dnsAAAAError != nil || error.dnsAError != nil, reasons.isEmpty {
                self = .connection(why: "the host name does not resolve")
            } else {
                self = reasons.first ?? .connection(why: "no address could be reached")
            }
        case let error as IOError:
            self = .connection(why: String(cString: strerror(error.errnoCode)).lowercased())
        case let error as NIOSSLError:
            if case .handshakeFailed(let inner) = error, "\(inner)".contains("CERTIFICATE_VERIFY_FAILED") {
                self = .certificate(why: "failed verification (is it self-signed or expired? tls_verify: false trusts any)")
            } else {
                self = .tls
            }
        case is NIOSSLExtraError:
            self = .certificate(why: "does not name this host")
        case let error as ChannelError:
            if case .connectTimeout = error { self = .timeout } else { self = .closed }
        default:
            self = .other
        }
    }
}
