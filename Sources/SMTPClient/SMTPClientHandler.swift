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
    /// The messages the machine is sending, oldest first: one, or two when the second is pipelined behind the first.
    private var inFlight: [EventLoopPromise<SMTPReply>] = []
    /// Messages handed over that the machine cannot take yet (it is resetting, or the one ahead has not sent its content).
    private var pending: [(envelope: SMTPConnectionStateMachine.Envelope, promise: EventLoopPromise<SMTPReply>)] = []
    /// When the reply the machine waits for is overdue; `nil` when it waits for none.
    private var replyDeadline: NIODeadline?
    /// The armed timer and when it fires. Replies only move `replyDeadline` later; the timer, firing
    /// early, re-arms for the rest — one timer per wait instead of a cancel and a schedule per reply.
    private var timer: (task: Scheduled<Void>, firesAt: NIODeadline)?
    private var context: ChannelHandlerContext?
    /// Writes wait for one flush at the end of the event that made them, so a message's content and
    /// the next message's commands go out in one write.
    private var needsFlush = false

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
        stopTimer()
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        do {
            for reply in try decoder.feed(&buffer) {
                run(machine.received(reply))
                sendPending()
            }
        } catch {
            run(.fail(.protocolViolation(error.reason)))
        }
        flush()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted? = event as? TLSUserEvent {
            run(machine.tlsEstablished())
            flush()
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        run(machine.closedByPeer())
        fail(.protocolViolation("the connection closed"))
        stopTimer()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        run(.fail(Self.describe(error)))
    }

    /// A pipeline error as an `SMTPError` in plain words (never the TLS library's dump).
    static func describe(_ error: any Error) -> SMTPError {
        switch error {
        case let error as NIOSSLError:
            if case .handshakeFailed(let inner) = error, "\(inner)".contains("CERTIFICATE_VERIFY_FAILED") {
                return .certificateRejected("failed verification (self-signed, expired or from an unknown authority; tls_verify: false trusts any)")
            }
            return .tlsFailed("the TLS handshake failed")
        case is NIOSSLExtraError:
            return .certificateRejected("does not name this host")
        default:
            return .protocolViolation("the connection failed")
        }
    }

    /// Sends a message: at once when the connection is idle, behind the one in flight when the server
    /// pipelines and that one's content is sent, else as soon as the connection can (after the RSET
    /// that follows a failed message, or after the content ahead of it).
    func send(_ envelope: SMTPConnectionStateMachine.Envelope, promise: EventLoopPromise<SMTPReply>) {
        guard machine.isOpen else {
            promise.fail(SMTPError.protocolViolation("the connection is closed"))
            return
        }
        pending.append((envelope, promise))
        sendPending()
        flush()
    }

    /// Whether the server pipelines, so a second message can follow the first before its final reply.
    var pipelines: Bool { machine.capabilities.pipelining }

    /// Ends the session with QUIT when idle, else closes.
    func quit() {
        run(machine.quit())
        flush()
    }

    /// Hands the machine every waiting message it can take now.
    private func sendPending() {
        while let next = pending.first, machine.isReady || machine.acceptsPipelinedMessage {
            pending.removeFirst()
            let action = machine.send(next.envelope)
            if case .messageFailed(let error, _) = action {
                next.promise.fail(error)  // refused before anything was sent (over the server's SIZE)
                continue
            }
            inFlight.append(next.promise)
            run(action)
        }
    }

    private func run(_ action: SMTPConnectionStateMachine.Action) {
        guard let context else { return }
        switch action {
        case .none:
            break
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
            if !inFlight.isEmpty { inFlight.removeFirst().succeed(reply) }
        case .messageFailed(let error, let reset):
            if !inFlight.isEmpty { inFlight.removeFirst().fail(error) }
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
        context.write(wrapOutboundOut(context.channel.allocator.buffer(string: text)), promise: nil)
        needsFlush = true
    }

    private func flush() {
        guard needsFlush, let context else { return }
        needsFlush = false
        context.flush()
    }

    private func fail(_ error: SMTPError) {
        ready?.fail(error)
        ready = nil
        let messages = inFlight.map(\.self) + pending.map(\.promise)
        inFlight = []
        pending = []
        for message in messages { message.fail(error) }
    }

    /// Sets the deadline of the reply the machine waits for now, arming the timer only when none
    /// would fire by then.
    private func rescheduleTimeout() {
        guard let context, context.channel.isActive, let wait = timeouts.limit(machine.replyTimeout) else {
            replyDeadline = nil
            return
        }
        let deadline = NIODeadline.now() + TimeAmount(wait)
        replyDeadline = deadline
        if let timer, timer.firesAt <= deadline { return }
        arm(at: deadline, context: context)
    }

    private func arm(at deadline: NIODeadline, context: ChannelHandlerContext) {
        timer?.task.cancel()
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        timer = (context.eventLoop.scheduleTask(deadline: deadline) { handler.value.timerFired() }, deadline)
    }

    /// The timer fired: the reply is overdue, or the deadline moved on and the timer waits for the rest.
    private func timerFired() {
        timer = nil
        guard let deadline = replyDeadline, let context else { return }
        guard deadline <= .now() else {
            arm(at: deadline, context: context)
            return
        }
        replyDeadline = nil
        run(machine.timedOut())
        flush()
    }

    private func stopTimer() {
        timer?.task.cancel()
        timer = nil
        replyDeadline = nil
    }
}
