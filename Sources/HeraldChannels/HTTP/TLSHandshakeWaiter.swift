import NIOCore
import NIOTLS

/// Completes `handshake` when the TLS handshake of a new connection has finished, or fails it with
/// the first error (an unverifiable certificate) — so connecting includes TLS, and a failed handshake
/// is reported as itself rather than as a connection that closed before answering.
final class TLSHandshakeWaiter: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private let handshake: EventLoopPromise<Void>
    private var firstError: (any Error)?

    init(_ handshake: EventLoopPromise<Void>) {
        self.handshake = handshake
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case TLSUserEvent.handshakeCompleted = event { handshake.succeed() }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if firstError == nil { firstError = error }
        handshake.fail(error)
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        handshake.fail(firstError ?? HTTPExchangeError.closedBeforeAnswer)
        context.fireChannelInactive()
    }
}
