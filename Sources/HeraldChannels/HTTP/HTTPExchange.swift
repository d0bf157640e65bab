import HeraldCore
import NIOCore
import NIOHTTP1

/// Where a request goes: the host to connect to, and what the request and TLS say about it.
struct HTTPEndpoint: Hashable, Sendable {
    /// The host name or address literal the connection is made to.
    var connectHost: String
    var port: Int
    var isTLS: Bool
    /// The `Host` header: the URL's host and port, also when the connection is pinned to an address.
    var hostHeader: String
    /// The name the TLS certificate must carry (and SNI); `nil` for an address literal.
    var serverName: String?

    /// The endpoint of `destination`, connecting to `address` when given (a checked, pinned address).
    init(_ destination: HTTPDestination, pinnedTo address: IPAddress? = nil) {
        connectHost = address?.description ?? destination.host
        port = destination.port
        isTLS = destination.isTLS
        hostHeader = destination.hostHeader
        serverName = destination.isAddressLiteral ? nil : destination.host
    }
}

/// One POST, with its body encoded once.
struct HTTPPost: Sendable {
    var endpoint: HTTPEndpoint
    /// The path and query, percent-encoded, as the request line carries them.
    var target: String
    var headers: HTTPHeaders
    var body: ByteBuffer

    init(to destination: HTTPDestination, pinnedTo address: IPAddress? = nil, headers: HTTPHeaders, body: ByteBuffer) {
        self.endpoint = HTTPEndpoint(destination, pinnedTo: address)
        self.target = destination.requestTarget
        self.headers = headers
        self.body = body
    }
}

/// What a receiver answered: its status and headers, and the first bytes of its body.
struct HTTPAnswer: Sendable {
    var status: HTTPResponseStatus
    var headers: HTTPHeaders
    /// At most `HTTPExchangeHandler.excerptLimit` bytes; the rest is read and dropped.
    var excerpt: [UInt8]
    /// Whether the connection may carry another request.
    var keepAlive: Bool
}

/// How an exchange ended without an answer, besides the socket and TLS errors below it.
enum HTTPExchangeError: Error, Equatable {
    /// No complete answer before the request's deadline.
    case timedOut
    /// The receiver closed the connection before it answered.
    case closedBeforeAnswer
    /// The pool was shut down.
    case poolClosed
}
