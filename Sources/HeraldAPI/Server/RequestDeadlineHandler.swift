import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTPTypes

/// Sheds connections that do not send a request in time, one handler per connection between
/// Hummingbird's HTTP codec and its request stream:
/// - a request's head must arrive within `headerTimeout` of the connection opening or of the first
///   bytes of a keep-alive request (a slow or silent client is closed; one that sent part of a head gets 408);
/// - its body within `bodyTimeout` of the head (the route's body read fails with a 408 problem);
/// - a response written before the request's body was read, or that says `Connection: close`,
///   closes the connection once written, so nobody can keep one open by trickling an unwanted body;
/// - a request that cannot be parsed gets a 400 problem and the connection closes.
/// Idle keep-alive connections are Hummingbird's `idleTimeout`.
final class RequestDeadlineHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// Where the connection is in its current request.
    private enum Phase {
        case waitingForHead(bytesSeen: Bool)
        case readingBody
        case awaitingResponse
    }

    private let limits: HTTPLimits
    private var phase = Phase.waitingForHead(bytesSeen: false)
    /// Requests whose head was read and whose response has not ended.
    private var unanswered = 0
    private var closeAfterResponse = false
    private var closing = false
    private var started = false
    private var timer: Scheduled<Void>?

    init(limits: HTTPLimits) {
        self.limits = limits
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancelTimer()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancelTimer()
    }

    private func start(_ context: ChannelHandlerContext) {
        guard !started else { return }
        started = true
        arm(context, limits.headerTimeout) { $0.headerTimedOut($1) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            unanswered += 1
            phase = .readingBody
            arm(context, limits.bodyTimeout) { $0.bodyTimedOut($1) }
        case .body:
            break
        case .end:
            phase = .awaitingResponse
            cancelTimer()
        }
        context.fireChannelRead(data)
    }

    /// The decoder passes this on for every socket read, so the first bytes of a keep-alive request start its clock.
    func channelReadComplete(context: ChannelHandlerContext) {
        if case .waitingForHead(bytesSeen: false) = phase {
            phase = .waitingForHead(bytesSeen: true)
            if timer == nil { arm(context, limits.headerTimeout) { $0.headerTimedOut($1) } }
        }
        context.fireChannelReadComplete()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if case .waitingForHead = phase, unanswered == 0 {
            // Nothing is in flight that could answer: the parser refused the bytes of a new request.
            respondAndClose(context, status: .badRequest, slug: "malformed-request", detail: "the request could not be parsed as HTTP/1.1")
            return
        }
        // Mid-body (a bad chunk size): the route's body read fails with the error and answers; then we close.
        closeAfterResponse = true
        context.fireErrorCaught(error)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let response):
            if response.headerFields[.connection]?.lowercased() == "close" { closeAfterResponse = true }
            if case .readingBody = phase { closeAfterResponse = true }
            context.write(data, promise: promise)
        case .body:
            context.write(data, promise: promise)
        case .end:
            unanswered -= 1
            guard !closeAfterResponse else {
                let written = context.eventLoop.makePromise(of: Void.self)
                written.futureResult.cascade(to: promise)
                context.writeAndFlush(data, promise: written)
                written.futureResult.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
                return
            }
            if unanswered == 0, case .awaitingResponse = phase { phase = .waitingForHead(bytesSeen: false) }
            context.write(data, promise: promise)
        }
    }

    private func headerTimedOut(_ context: ChannelHandlerContext) {
        guard case .waitingForHead(let bytesSeen) = phase, unanswered == 0 else { return }
        if bytesSeen {
            respondAndClose(context, status: .requestTimeout, slug: "request-timeout", detail: "the request headers did not arrive within \(limits.headerTimeout.seconds) s")
        } else {
            context.close(promise: nil)
        }
    }

    private func bodyTimedOut(_ context: ChannelHandlerContext) {
        guard case .readingBody = phase else { return }
        closeAfterResponse = true
        // The route's read of the body fails with this, and the middleware answers 408.
        context.fireErrorCaught(RequestBodyTimeout(seconds: limits.bodyTimeout.seconds))
        // A route that never answers is cut off.
        arm(context, .seconds(5)) { _, context in context.close(promise: nil) }
    }

    private func respondAndClose(_ context: ChannelHandlerContext, status: HTTPResponse.Status, slug: String, detail: String) {
        guard !closing else { return }
        closing = true
        cancelTimer()
        let problem = Problem(status: status, slug: slug, title: status.reasonPhrase, detail: detail)
        let body = ByteBuffer(bytes: (try? problem.encodedBody()) ?? [])
        let head = HTTPResponse(
            status: status,
            headerFields: [.contentType: "application/problem+json", .contentLength: "\(body.readableBytes)", .connection: "close"]
        )
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }

    private func arm(_ context: ChannelHandlerContext, _ delay: TimeAmount, _ fire: @escaping (RequestDeadlineHandler, ChannelHandlerContext) -> Void) {
        timer?.cancel()
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: delay) {
            self.timer = nil
            fire(self, context)
        }
    }

    private func cancelTimer() {
        timer?.cancel()
        timer = nil
    }
}

@available(*, unavailable)
extension RequestDeadlineHandler: Sendable {}

/// The request body did not arrive in time; thrown into the route's body read.
struct RequestBodyTimeout: Error {
    var seconds: Int64
}

/// The HTTP server's limits: how long a client has for each part of a request, and how many connections it may hold.
public struct HTTPLimits: Sendable {
    public var headerTimeout: TimeAmount = .seconds(10)
    public var bodyTimeout: TimeAmount = .seconds(30)
    public var idleTimeout: TimeAmount = .seconds(60)
    public var maxConnections: Int

    public init(maxConnections: Int) {
        self.maxConnections = maxConnections
    }
}

extension TimeAmount {
    /// Whole seconds, for messages.
    var seconds: Int64 { nanoseconds / 1_000_000_000 }
}
