import NIOCore
import NIOSSL
import NIOTLS

/// The NIO side of one SMTP connection. It decodes replies, feeds every event to the
/// `SMTPConnectionStateMachine`, and carries out the actions it returns: writes, the TLS upgrade,
/// completing the caller's promises, closing. It makes no protocol decisions of its own.
final class SMTPClientHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = Never
    typealias OutboundOut = ByteBuffer

    private var machine: SMTPConnectionStateMachine
    private var decoder = SMTPReplyDecoder()
    private let tls: NIOSSLContext?
    private let serverHostname: String?
    private let timeouts: SMTPConnection.Timeouts
    private var ready: EventLoopPromise<Void>?
    private var message: EventLoopPromise<SMTPReply>?
    /// A message handed over while the connection was still resetting after a failed one.
    private var waiting: (envelope: SMTPConnectionStateMachine.Envelope, promise: EventLoopPromise<SMTPReply>)?
    private var timeout: Scheduled<Void>?
    private var context: ChannelHandlerContext?

    init(
        machine: SMTPConnectionStateMachine, tls: NIOSSLContext?, serverHostname: String?, timeouts: SMTPConnection.Timeouts,
        ready: EventLoopPromise<Void>
    ) {
        self.machine = machine
        self.tls = tls
        self.serverHostname = serverHostname
        self.timeouts = timeouts
        self.ready = ready
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        rescheduleTimeout()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timeout?.cancel()
        timeout = nil
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        do {
            for reply in try decoder.feed(&buffer) {
                run(machine.received(reply))
            }
        } catch {
            run(.fail(.protocolViolation(error.reason)))
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted? = event as? TLSUserEvent {
            run(machine.tlsEstablished())
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        run(machine.closedByPeer())
        fail(.protocolViolation("the connection closed"))
        timeout?.cancel()
        timeout = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        run(.fail(error is NIOSSLError ? .tlsFailed("\(error)") : .protocolViolation("\(error)")))
    }

    /// Sends one message (one at a time). A message handed over while the RSET after a failed one is
    /// in flight goes out as soon as the server confirms the reset.
    func send(_ envelope: SMTPConnectionStateMachine.Envelope, promise: EventLoopPromise<SMTPReply>) {
        guard message == nil, waiting == nil, machine.isReady || machine.isResetting else {
            promise.fail(SMTPError.protocolViolation("the connection is not ready for a message"))
            return
        }
        guard machine.isReady else {
            waiting = (envelope, promise)
            return
        }
        message = promise
        run(machine.send(envelope))
    }

    /// Ends the session with QUIT when idle, else closes.
    func quit() {
        run(machine.quit())
    }

    var isReady: Bool { machine.isReady }

    private func run(_ action: SMTPConnectionStateMachine.Action) {
        guard let context else { return }
        switch action {
        case .none:
            if machine.isReady, let next = waiting {
                waiting = nil
                message = next.promise
                run(machine.send(next.envelope))
                return
            }
        case .send(let commands):
            write(commands.map(\.line).joined(), context: context)
        case .sendPayload(let payload):
            write(payload, context: context)
        case .startTLS:
            guard let tls else {
                run(.fail(.protocolViolation("STARTTLS without a TLS configuration")))
                return
            }
            do {
                let handler = try NIOSSLClientHandler(context: tls, serverHostname: serverHostname)
                try context.pipeline.syncOperations.addHandler(handler, position: .first)
            } catch {
                run(.fail(.protocolViolation("TLS: \(error)")))
            }
        case .connectionReady:
            ready?.succeed()
            ready = nil
        case .messageSent(let reply):
            message?.succeed(reply)
            message = nil
        case .messageFailed(let error, let reset):
            message?.fail(error)
            message = nil
            if reset { write(SMTPCommand.rset.line, context: context) }
        case .fail(let error):
            fail(error)
            context.close(promise: nil)
        case .close:
            context.close(promise: nil)
        }
        rescheduleTimeout()
    }

    private func write(_ text: String, context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: text)), promise: nil)
    }

    private func fail(_ error: SMTPError) {
        ready?.fail(error)
        ready = nil
        message?.fail(error)
        message = nil
        waiting?.promise.fail(error)
        waiting = nil
    }

    /// One timer for the reply the machine waits for now.
    private func rescheduleTimeout() {
        timeout?.cancel()
        timeout = nil
        guard let context, context.channel.isActive, let wait = timeouts.limit(machine.replyTimeout) else { return }
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        timeout = context.eventLoop.scheduleTask(in: .nanoseconds(wait.nanoseconds)) {
            handler.value.run(handler.value.machine.timedOut())
        }
    }
}
