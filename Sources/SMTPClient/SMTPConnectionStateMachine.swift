/// The SMTP protocol for one connection as a pure state machine: greeting, EHLO (HELO fallback),
/// STARTTLS, AUTH PLAIN/LOGIN, then MAIL/RCPT/DATA transactions — pipelined when the server offers
/// PIPELINING — with RSET after a failed one, and QUIT.
///
/// With PIPELINING the next message's MAIL/RCPT/DATA may follow a message's content before its
/// final reply arrives (RFC 2920 §3.1: content may start a group), so a message costs one round
/// trip instead of two: see `acceptsPipelinedMessage`.
///
/// It does no I/O. The channel handler feeds it events (a reply, TLS established, a message to send,
/// a timeout, the peer closing) and carries out the `Action` each returns, so every path is tested
/// event by event without sockets (the Hummingbird/AsyncHTTPClient pattern).
///
/// ```swift
/// var machine = SMTPConnectionStateMachine(configuration: .init(hostname: "status.example.com"))
/// machine.received(SMTPReply(code: 220, lines: ["mx ready"]))   // .send([.ehlo("status.example.com")])
/// ```
public struct SMTPConnectionStateMachine: Sendable {
    /// How the connection is set up, with a default for every field.
    public struct Configuration: Sendable {
        public enum Security: Sendable, Hashable {
            /// Plain TCP upgraded with STARTTLS before anything else (the server must offer it).
            case startTLS
            /// TLS from the first byte (port 465).
            case implicitTLS
            /// No TLS.
            case none
        }

        /// The name sent in EHLO/HELO.
        public var hostname: String
        public var security: Security
        public var username: String?
        public var password: String?
        /// Allows AUTH on a connection that is not encrypted.
        public var allowInsecureAuth: Bool

        public init(
            hostname: String = "localhost", security: Security = .startTLS, username: String? = nil, password: String? = nil,
            allowInsecureAuth: Bool = false
        ) {
            self.hostname = hostname
            self.security = security
            self.username = username
            self.password = password
            self.allowInsecureAuth = allowInsecureAuth
        }
    }

    /// One message for one recipient.
    public struct Envelope: Sendable, Hashable {
        public var sender: String
        public var recipient: String
        /// The dot-stuffed DATA payload ending in `CRLF.CRLF` (see `MailMessage.dataPayload()`).
        public var payload: String
        /// Ask for SMTPUTF8 (internationalised addresses).
        public var utf8: Bool

        public init(sender: String, recipient: String, payload: String, utf8: Bool = false) {
            self.sender = sender
            self.recipient = recipient
            self.payload = payload
            self.utf8 = utf8
        }
    }

    /// What the handler must do next.
    public enum Action: Sendable, Hashable {
        case none
        /// Write these commands in one flush.
        case send([SMTPCommand])
        /// Write the message after DATA's 354.
        case sendPayload(String)
        /// Start the TLS handshake, then call `tlsEstablished()`.
        case startTLS
        /// Greeting, hello, TLS and AUTH are done: messages can be sent.
        case connectionReady
        /// The message was accepted; the connection is ready for the next one.
        case messageSent(SMTPReply)
        /// The message failed; when `reset` is true, send RSET and the connection stays usable.
        case messageFailed(SMTPError, reset: Bool)
        /// The connection failed (any message in flight with it): close it.
        case fail(SMTPError)
        /// Close the connection.
        case close
    }

    enum Step: Sendable, Hashable {
        case mail, rcpt, data, body
        /// The server sent 354 although every recipient failed: an empty body ends the transaction.
        case discardedBody
    }

    enum AuthStep: Sendable, Hashable { case plain, loginUser, loginPassword, loginResult }

    struct Transaction: Sendable, Hashable {
        var envelope: Envelope
        var pipelined: Bool
        var awaiting: [Step]
        var firstFailure: SMTPError?
    }

    enum State: Sendable, Hashable {
        case greeting
        case ehlo
        case helo
        case startTLS
        case tlsHandshake
        case auth(AuthStep)
        case ready
        case transaction(Transaction)
        case resetting
        case quitting
        case closed
    }

    let configuration: Configuration
    var state: State = .greeting
    /// The message sent behind the current one while its content awaits the final reply.
    var follower: Transaction?
    /// Whether the connection is encrypted now.
    public internal(set) var isSecured: Bool
    /// What the server offered in its last EHLO reply.
    public internal(set) var capabilities = SMTPCapabilities()

    public init(configuration: Configuration) {
        self.configuration = configuration
        self.isSecured = configuration.security == .implicitTLS
    }

    /// Whether a message can be sent now.
    public var isReady: Bool { state == .ready }

    /// Whether a message can be sent now behind the one in flight: the server pipelines, that
    /// message's content is sent and only its final reply is awaited, and nothing follows it yet.
    public var acceptsPipelinedMessage: Bool {
        guard capabilities.pipelining, follower == nil, case .transaction(let current) = state else { return false }
        return current.awaiting == [.body]
    }

    /// Whether the session can still carry messages (now or after what is in flight).
    public var isOpen: Bool {
        switch state {
        case .quitting, .closed: false
        default: true
        }
    }
}

extension SMTPConnectionStateMachine {
    /// A reply arrived.
    public mutating func received(_ reply: SMTPReply) -> Action {
        if reply.code == 421, state != .quitting {
            // Service closing: the server is going away whatever we were doing.
            return failed(.rejected(command: stage, reply: reply))
        }
        switch state {
        case .greeting:
            guard reply.code == 220 else { return failed(.rejected(command: "greeting", reply: reply)) }
            state = .ehlo
            return .send([.ehlo(configuration.hostname)])
        case .ehlo:
            return ehloReplied(reply)
        case .helo:
            guard reply.isSuccess else { return failed(.rejected(command: "HELO", reply: reply)) }
            capabilities = SMTPCapabilities()
            return afterHello()
        case .startTLS:
            guard reply.code == 220 else { return failed(.rejected(command: "STARTTLS", reply: reply)) }
            state = .tlsHandshake
            return .startTLS
        case .auth(let step):
            return authReplied(reply, step: step)
        case .transaction(var transaction):
            return transactionReplied(reply, transaction: &transaction)
        case .resetting:
            guard reply.isSuccess else { return failed(.rejected(command: "RSET", reply: reply)) }
            state = .ready
            return .none
        case .quitting:
            state = .closed
            return .close
        case .ready, .tlsHandshake, .closed:
            return failed(.protocolViolation("unexpected reply \(reply) while \(stage)"))
        }
    }

    /// The TLS handshake the machine asked for completed: say hello again, now encrypted.
    /// With implicit TLS the handshake completes before the greeting; nothing changes then.
    public mutating func tlsEstablished() -> Action {
        if configuration.security == .implicitTLS, state == .greeting { return .none }
        guard state == .tlsHandshake else { preconditionFailure("TLS established while \(stage)") }
        isSecured = true
        state = .ehlo
        return .send([.ehlo(configuration.hostname)])
    }

    /// Starts sending a message. Only valid while `isReady` or `acceptsPipelinedMessage`; a message
    /// over the server's SIZE fails at once (`.messageFailed`, nothing sent).
    public mutating func send(_ envelope: Envelope) -> Action {
        guard state == .ready || acceptsPipelinedMessage else { preconditionFailure("send while \(stage)") }
        let size = envelope.payload.utf8.count
        if let limit = capabilities.maximumSize, limit > 0, size > limit {
            return .messageFailed(.messageTooLarge(size: size, limit: limit), reset: false)
        }
        let utf8 = envelope.utf8 && capabilities.smtpUTF8
        let mail = SMTPCommand.mailFrom(envelope.sender, utf8: utf8)
        if state != .ready {
            follower = Transaction(envelope: envelope, pipelined: true, awaiting: [.mail, .rcpt, .data])
            return .send([mail, .rcptTo(envelope.recipient), .data])
        }
        if capabilities.pipelining {
            state = .transaction(Transaction(envelope: envelope, pipelined: true, awaiting: [.mail, .rcpt, .data]))
            return .send([mail, .rcptTo(envelope.recipient), .data])
        }
        state = .transaction(Transaction(envelope: envelope, pipelined: false, awaiting: [.mail]))
        return .send([mail])
    }

    /// Ends the session politely when idle; otherwise just closes.
    public mutating func quit() -> Action {
        guard state == .ready else {
            state = .closed
            return .close
        }
        state = .quitting
        return .send([.quit])
    }

    /// The current stage's reply did not come in time.
    public mutating func timedOut() -> Action {
        failed(.timeout(stage: stage))
    }

    /// The peer closed the connection.
    public mutating func closedByPeer() -> Action {
        switch state {
        case .closed, .quitting:
            state = .closed
            return .none
        default:
            return failed(.protocolViolation("the server closed the connection while \(stage)"))
        }
    }

    /// How long to wait for the reply the machine is waiting for (RFC 5321 §4.5.3.2), or `nil` when idle.
    public var replyTimeout: Duration? {
        switch state {
        case .greeting, .ehlo, .helo, .startTLS, .auth, .resetting, .quitting: .seconds(300)
        case .tlsHandshake: .seconds(60)
        case .transaction(let transaction):
            switch transaction.awaiting.first {
            case .mail, .rcpt: .seconds(300)
            case .data: .seconds(120)
            case .body, .discardedBody: .seconds(600)
            case nil: nil
            }
        case .ready, .closed: nil
        }
    }

    /// A short name for the current stage, for errors.
    var stage: String {
        switch state {
        case .greeting: "waiting for the greeting"
        case .ehlo: "EHLO"
        case .helo: "HELO"
        case .startTLS: "STARTTLS"
        case .tlsHandshake: "TLS handshake"
        case .auth: "AUTH"
        case .ready: "idle"
        case .transaction(let transaction):
            switch transaction.awaiting.first {
            case .mail: "MAIL FROM"
            case .rcpt: "RCPT TO"
            case .data: "DATA"
            case .body, .discardedBody, nil: "end of DATA"
            }
        case .resetting: "RSET"
        case .quitting: "QUIT"
        case .closed: "closed"
        }
    }

    /// The connection is done for, with every message on it.
    mutating func failed(_ error: SMTPError) -> Action {
        state = .closed
        follower = nil
        return .fail(error)
    }
}
