import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// HTTP/1.1 connections kept alive per endpoint and reused across messages: at most `limit` open to one
/// endpoint, requests beyond that wait for one to come free, first come first served. Built on
/// SwiftNIO's own HTTP/1.1 codecs; one exchange per connection at a time, the request written with
/// a single flush. No redirect is ever followed (a 3xx is an answer like any other).
///
/// A request on a kept-alive connection the receiver closed or reset while it sat idle is sent once
/// more on a new connection; any other failure closes the connection and is the caller's to classify.
final class KeepAlivePool: Sendable {
    private struct Lane {
        var idle: [any Channel] = []
        /// Connections open or being opened, idle or not.
        var open = 0
        /// Requests waiting for a connection: resumed with an idle one, or `nil` to open their own.
        var waiters = CircularBuffer<CheckedContinuation<(any Channel)?, any Error>>()
    }

    private struct State {
        var lanes: [HTTPEndpoint: Lane] = [:]
        var isShutDown = false
    }

    private let group: any EventLoopGroup
    private let limit: Int
    private let tls: NIOSSLContext?
    private let state = Mutex(State())

    /// - Parameters:
    ///   - limit: connections per endpoint.
    ///   - tlsVerify: whether certificates are verified (`false` trusts any).
    init(limit: Int, tlsVerify: Bool, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if !tlsVerify { configuration.certificateVerification = .none }
        self.tls = try? NIOSSLContext(configuration: configuration)
        self.limit = max(1, limit)
        self.group = group
    }

    /// Sends `post` and returns the receiver's answer.
    /// - Throws: `HTTPExchangeError`, or the socket or TLS error that ended the exchange.
    func send(_ post: HTTPPost, timeout: Duration) async throws -> HTTPAnswer {
        let deadline = NIODeadline.now() + TimeAmount(timeout)
        let (channel, reused) = try await checkout(post.endpoint, deadline: deadline)
        do {
            return try await exchange(post, on: channel, deadline: deadline)
        } catch where reused && Self.meansStale(error) {
            let fresh = try await checkout(post.endpoint, deadline: deadline, reuse: false).channel
            return try await exchange(post, on: fresh, deadline: deadline)
        }
    }

    /// Whether a failure on a kept-alive connection says it had gone stale (closed or reset by the
    /// receiver while idle: no answer, and not a timeout), so the request deserves one new connection.
    private static func meansStale(_ error: any Error) -> Bool {
        switch error {
        case HTTPExchangeError.timedOut, HTTPExchangeError.poolClosed: false
        case is HTTPExchangeError, is ChannelError, is IOError: true
        default: false
        }
    }

    /// Closes every connection; requests waiting for one fail.
    func shutdown() async {
        let (channels, waiters) = state.withLock { state in
            state.isShutDown = true
            let lanes = state.lanes.values
            state.lanes = [:]
            return (lanes.flatMap(\.idle), lanes.flatMap(\.waiters))
        }
        for waiter in waiters { waiter.resume(throwing: HTTPExchangeError.poolClosed) }
        for channel in channels { try? await channel.close() }
    }

    private func exchange(_ post: HTTPPost, on channel: any Channel, deadline: NIODeadline) async throws -> HTTPAnswer {
        let answer = channel.eventLoop.makePromise(of: HTTPAnswer.self)
        channel.writeAndFlush(HTTPExchangeHandler.Exchange(post: post, answer: answer, deadline: deadline)).whenFailure { answer.fail($0) }
        do {
            let result = try await answer.futureResult.get()
            checkin(channel, to: post.endpoint, reusable: result.keepAlive)
            return result
        } catch {
            checkin(channel, to: post.endpoint, reusable: false)
            throw error
        }
    }

    /// A connection to `endpoint`: an idle one (unless `reuse` is false), a new one while fewer than
    /// `limit` are open, else the next one another request gives back.
    private func checkout(_ endpoint: HTTPEndpoint, deadline: NIODeadline, reuse: Bool = true) async throws -> (channel: any Channel, reused: Bool) {
        let handed: (any Channel)? = try await withCheckedThrowingContinuation { continuation in
            enum Next { case reuse(any Channel), connect, wait, closed }
            let next = state.withLock { state -> Next in
                guard !state.isShutDown else { return .closed }
                var lane = state.lanes[endpoint] ?? Lane()
                defer { state.lanes[endpoint] = lane }
                while reuse, let channel = lane.idle.popLast() {
                    if channel.isActive { return .reuse(channel) }
                    lane.open -= 1
                }
                if lane.open < limit {
                    lane.open += 1
                    return .connect
                }
                lane.waiters.append(continuation)
                return .wait
            }
            switch next {
            case .reuse(let channel): continuation.resume(returning: channel)
            case .connect: continuation.resume(returning: nil)
            case .wait: break
            case .closed: continuation.resume(throwing: HTTPExchangeError.poolClosed)
            }
        }
        if let handed { return (handed, true) }
        do {
            return (try await connect(endpoint, deadline: deadline), false)
        } catch {
            checkin(nil, to: endpoint, reusable: false)
            throw error
        }
    }

    /// Returns a connection after an exchange — kept for the next request when `reusable`, else
    /// closed — or, with `nil`, the slot of a connection that could not be opened. A waiting request
    /// takes the slot over: with this connection when it can be reused, else to open its own.
    private func checkin(_ channel: (any Channel)?, to endpoint: HTTPEndpoint, reusable: Bool) {
        let keep = reusable && channel?.isActive == true
        let waiter = state.withLock { state -> CheckedContinuation<(any Channel)?, any Error>? in
            // After shutdown there are no lanes: the connection is closed below.
            guard var lane = state.lanes[endpoint] else { return nil }
            defer { state.lanes[endpoint] = lane }
            if let waiter = lane.waiters.popFirst() { return waiter }
            if keep, let channel { lane.idle.append(channel) } else { lane.open -= 1 }
            return nil
        }
        if let waiter {
            if !keep { channel?.close(promise: nil) }
            waiter.resume(returning: keep ? channel : nil)
        } else if !keep || state.withLock({ $0.isShutDown }) {
            channel?.close(promise: nil)
        }
    }

    private func connect(_ endpoint: HTTPEndpoint, deadline: NIODeadline) async throws -> any Channel {
        let remaining = deadline - .now()
        guard remaining > .zero else { throw HTTPExchangeError.timedOut }
        let tls = self.tls
        if endpoint.isTLS, tls == nil { throw NIOSSLError.failedToLoadCertificate }
        let handshake: EventLoopPromise<Void>? = endpoint.isTLS ? group.any().makePromise() : nil
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(remaining)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    if let tls, let handshake {
                        try pipeline.addHandler(NIOSSLClientHandler(context: tls, serverHostname: endpoint.serverName))
                        try pipeline.addHandler(TLSHandshakeWaiter(handshake))
                    }
                    try pipeline.addHTTPClientHandlers()
                    try pipeline.addHandler(HTTPExchangeHandler())
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: endpoint.connectHost, port: endpoint.port).get()
        } catch {
            handshake?.fail(error)
            throw error
        }
        guard let handshake else { return channel }
        // The handshake is bounded by the request's deadline like everything else.
        let timeout = channel.eventLoop.scheduleTask(deadline: deadline) { handshake.fail(HTTPExchangeError.timedOut) }
        defer { timeout.cancel() }
        do {
            try await handshake.futureResult.get()
        } catch {
            channel.close(promise: nil)
            throw error
        }
        return channel
    }
}
