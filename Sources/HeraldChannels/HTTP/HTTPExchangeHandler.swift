import NIOCore
import NIOHTTP1

/// The last handler of a kept-alive HTTP/1.1 connection: carries one exchange at a time — writes the
/// request (head, body and end, flushed once) and reads the answer into its promise — and fails the
/// exchange when its deadline passes, the connection closes, or anything below errs. A connection
/// whose exchange failed is closed, so it never carries a stale answer into the next one.
final class HTTPExchangeHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = Exchange
    typealias OutboundOut = HTTPClientRequestPart

    /// A request, the promise its answer goes to, and when to give up on it.
    struct Exchange: Sendable {
        var post: HTTPPost
        var answer: EventLoopPromise<HTTPAnswer>
        var deadline: NIODeadline
    }

    /// How much of an answer's body is kept (for the attempt ledger).
    static let excerptLimit = 512

    private struct Pending {
        var answer: EventLoopPromise<HTTPAnswer>
        var timeout: Scheduled<Void>
        var head: HTTPResponseHead?
        var excerpt: [UInt8] = []
    }

    private var pending: Pending?
    /// What closed the connection while no exchange was in flight (a failed TLS handshake), told to the next one.
    private var closedBy: (any Error)?

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let exchange = unwrapOutboundIn(data)
        if let closedBy {
            exchange.answer.fail(closedBy)
            promise?.fail(closedBy)
            return
        }
        guard pending == nil else {
            // The pool hands a connection to one exchange at a time; a second one is a bug, not an answer.
            exchange.answer.fail(HTTPExchangeError.closedBeforeAnswer)
            promise?.fail(HTTPExchangeError.closedBeforeAnswer)
            return
        }
        let timeout = context.eventLoop.assumeIsolated().scheduleTask(deadline: exchange.deadline) { [weak self] () -> Void in
            self?.fail(HTTPExchangeError.timedOut, context: context)
        }
        pending = Pending(answer: exchange.answer, timeout: timeout)
        var headers = exchange.post.headers
        headers.replaceOrAdd(name: "host", value: exchange.post.endpoint.hostHeader)
        headers.replaceOrAdd(name: "content-length", value: String(exchange.post.body.readableBytes))
        let head = HTTPRequestHead(version: .http1_1, method: .POST, uri: exchange.post.target, headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(exchange.post.body))), promise: nil)
        let written = promise ?? context.eventLoop.makePromise()
        written.futureResult.assumeIsolated().whenFailure { [weak self] error in self?.fail(error, context: context) }
        context.write(wrapOutboundOut(.end(nil)), promise: written)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard var current = pending else {
            // An answer nobody asked for (a 408 on an idle connection): the connection cannot be trusted.
            context.close(promise: nil)
            return
        }
        switch unwrapInboundIn(data) {
        case .head(let head):
            // 1xx answers (100 Continue) come before the real one.
            guard head.status.code >= 200 || head.status == .switchingProtocols else { return }
            current.head = head
            pending = current
        case .body(let chunk):
            guard current.head != nil, current.excerpt.count < Self.excerptLimit else { return }
            current.excerpt += chunk.readableBytesView.prefix(Self.excerptLimit - current.excerpt.count)
            pending = current
        case .end:
            guard let head = current.head else { return }
            pending = nil
            current.timeout.cancel()
            current.answer.succeed(HTTPAnswer(status: head.status, headers: head.headers, excerpt: current.excerpt, keepAlive: head.isKeepAlive))
            if !head.isKeepAlive { context.close(promise: nil) }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if pending == nil, closedBy == nil { closedBy = error }
        fail(error, context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(HTTPExchangeError.closedBeforeAnswer, context: context)
        context.fireChannelInactive()
    }

    /// Ends the exchange in flight, if any, with `error`, and closes the connection.
    private func fail(_ error: any Error, context: ChannelHandlerContext) {
        if let current = pending {
            pending = nil
            current.timeout.cancel()
            current.answer.fail(error)
        }
        context.close(promise: nil)
    }
}
