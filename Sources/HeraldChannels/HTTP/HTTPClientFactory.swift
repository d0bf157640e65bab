import AsyncHTTPClient
import NIOCore
import NIOSSL

/// Builds the pooled HTTP client one HTTP channel uses: up to `connections` kept-alive connections
/// per host, reused across messages; TLS certificates verified unless the channel says otherwise.
enum HTTPClientFactory {
    static func make(connections: Int, timeout: Duration, tlsVerify: Bool) -> HTTPClient {
        var tls = TLSConfiguration.makeClientConfiguration()
        if !tlsVerify { tls.certificateVerification = .none }
        var pool = HTTPClient.Configuration.ConnectionPool()
        pool.concurrentHTTP1ConnectionsPerHostSoftLimit = connections
        pool.idleTimeout = .seconds(60)
        // A refused connection is reported at once, so the retry logic (not the pool) decides what happens next.
        pool.retryConnectionEstablishment = false
        let millis = timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000
        var configuration = HTTPClient.Configuration(
            tlsConfiguration: tls,
            redirectConfiguration: .disallow,
            timeout: .init(connect: .milliseconds(millis), read: .milliseconds(millis)),
            connectionPool: pool
        )
        // Herald records the delivery's span itself and sends its `traceparent` (`Delivery.traceHeaders`);
        // a client span of the library's own would replace that header with one of a trace of its own.
        configuration.tracing.tracer = nil
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }
}
