import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// A plain TCP connection to a server on 127.0.0.1, for what an HTTP client library will not send:
/// half a request head, a malformed chunk, nothing at all.
///
/// ```swift
/// let reply = try await RawConnection.session(port: port) { connection in
///     try await connection.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
///     return try await connection.read(until: "\r\n\r\n")
/// }
/// ```
public struct RawConnection {
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private var inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    private var pending = ""

    /// Connects, runs `body`, and closes.
    public static func session<Value: Sendable>(port: Int, _ body: (inout RawConnection) async throws -> Value) async throws -> Value {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: port) { channel in
            channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
        }
        return try await channel.executeThenClose { inbound, outbound in
            var connection = RawConnection(outbound: outbound, inbound: inbound.makeAsyncIterator())
            return try await body(&connection)
        }
    }

    public func send(_ text: String) async throws {
        try await outbound.write(ByteBuffer(string: text))
    }

    /// What arrived up to and including `marker`, or everything until the server closed the connection.
    public mutating func read(until marker: String) async throws -> String {
        while !pending.contains(marker) {
            let chunk: ByteBuffer?
            do {
                chunk = try await inbound.next()
            } catch let error as IOError where error.errnoCode == ECONNRESET {
                chunk = nil  // a server that refuses a connection may reset it: that too is the end
            }
            guard let chunk else { break }
            pending += String(buffer: chunk)
        }
        guard let range = pending.range(of: marker) else {
            defer { pending = "" }
            return pending
        }
        let text = String(pending[..<range.upperBound])
        pending = String(pending[range.upperBound...])
        return text
    }

    /// Everything until the server closes the connection.
    public mutating func readToEnd() async throws -> String {
        try await read(until: "\u{0}never\u{0}")
    }
}

/// Many connections that send nothing, held open until `close()`: a flood of idle clients.
public struct IdleConnections: Sendable {
    public let channels: [any Channel]

    /// Opens up to `count` connections; those the server refuses at once are counted, not kept.
    public static func open(port: Int, count: Int) async throws -> IdleConnections {
        var channels: [any Channel] = []
        for _ in 0..<count {
            if let channel = try? await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: port).get() {
                channels.append(channel)
            }
        }
        return IdleConnections(channels: channels)
    }

    public func close() async {
        for channel in channels { try? await channel.close() }
    }
}
