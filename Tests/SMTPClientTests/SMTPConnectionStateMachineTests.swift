import SMTPClient
import Testing

@Suite("SMTP connection state machine")
struct SMTPConnectionStateMachineTests {
    typealias Machine = SMTPConnectionStateMachine

    func reply(_ code: Int, _ lines: String...) -> SMTPReply { SMTPReply(code: code, lines: lines.isEmpty ? ["ok"] : lines) }

    static let ehloFull = SMTPReply(code: 250, lines: ["mx.example.com", "PIPELINING", "SIZE 1000", "STARTTLS", "AUTH PLAIN LOGIN", "8BITMIME", "SMTPUTF8"])
    static let ehloSecured = SMTPReply(code: 250, lines: ["mx.example.com", "PIPELINING", "SIZE 1000", "AUTH PLAIN LOGIN"])
    static let ehloPlainOld = SMTPReply(code: 250, lines: ["mx.example.com"])
    let envelope = Machine.Envelope(sender: "status@example.com", recipient: "kim@example.kr", payload: "Subject: x\r\n\r\nhi\r\n.\r\n")

    /// A machine that went through greeting, EHLO, STARTTLS and AUTH PLAIN and is ready.
    func readyMachine(pipelining: Bool = true) -> Machine {
        var machine = Machine(configuration: .init(hostname: "status.example.com", username: "status", password: "s3cret"))
        _ = machine.received(reply(220))
        _ = machine.received(Self.ehloFull)
        _ = machine.received(reply(220))
        _ = machine.tlsEstablished()
        _ = machine.received(pipelining ? Self.ehloSecured : SMTPReply(code: 250, lines: ["mx", "AUTH PLAIN"]))
        _ = machine.received(reply(235))
        return machine
    }

    @Test func greetingEHLOStartTLSAndAuthPlainLeadToReady() {
        var machine = Machine(configuration: .init(hostname: "status.example.com", username: "status", password: "s3cret"))
        #expect(machine.received(reply(220, "mx ESMTP")) == .send([.ehlo("status.example.com")]))
        #expect(machine.received(Self.ehloFull) == .send([.startTLS]))
        #expect(machine.received(reply(220, "go ahead")) == .startTLS)
        #expect(machine.tlsEstablished() == .send([.ehlo("status.example.com")]))
        #expect(machine.isSecured)
        #expect(machine.received(Self.ehloSecured) == .send([.authPlain(username: "status", password: "s3cret")]))
        #expect(machine.received(reply(235)) == .connectionReady)
        #expect(machine.isReady)
        #expect(machine.capabilities.pipelining && machine.capabilities.maximumSize == 1000)
    }

    @Test func authLoginIsUsedWhenPlainIsNotOffered() {
        var machine = Machine(configuration: .init(security: .implicitTLS, username: "u", password: "p"))
        #expect(machine.tlsEstablished() == .none, "with implicit TLS the handshake ends before the greeting")
        #expect(machine.isSecured)
        _ = machine.received(reply(220))
        #expect(machine.received(SMTPReply(code: 250, lines: ["mx", "AUTH LOGIN"])) == .send([.authLogin]))
        #expect(machine.received(reply(334, "VXNlcm5hbWU6")) == .send([.authLoginStep("u")]))
        #expect(machine.received(reply(334, "UGFzc3dvcmQ6")) == .send([.authLoginStep("p")]))
        #expect(machine.received(reply(235)) == .connectionReady)
        #expect(SMTPCommand.authLoginStep("u").line == "dQ==\r\n")
        #expect(SMTPCommand.authPlain(username: "u", password: "p").line == "AUTH PLAIN AHUAcA==\r\n")
    }

    @Test func credentialsAreNeverSentInClearUnlessAllowed() {
        var refusing = Machine(configuration: .init(security: .none, username: "u", password: "p"))
        _ = refusing.received(reply(220))
        #expect(refusing.received(Self.ehloSecured) == .fail(.insecureAuthRefused))

        var allowing = Machine(configuration: .init(security: .none, username: "u", password: "p", allowInsecureAuth: true))
        _ = allowing.received(reply(220))
        #expect(allowing.received(Self.ehloSecured) == .send([.authPlain(username: "u", password: "p")]))
    }

    @Test func aServerWithoutStartTLSIsRefusedWhenTLSIsRequired() {
        var machine = Machine(configuration: .init(security: .startTLS))
        _ = machine.received(reply(220))
        #expect(machine.received(Self.ehloPlainOld) == .fail(.startTLSNotOffered))
    }

    @Test func heloIsTheFallbackWhenEHLOIsUnknown() {
        var machine = Machine(configuration: .init(hostname: "h", security: .none))
        _ = machine.received(reply(220))
        #expect(machine.received(reply(502, "command not implemented")) == .send([.helo("h")]))
        #expect(machine.received(reply(250)) == .connectionReady)
        #expect(!machine.capabilities.pipelining)
    }

    @Test func pipelinedTransactionSendsMailRcptAndDataInOneFlush() {
        var machine = readyMachine()
        #expect(machine.send(envelope) == .send([.mailFrom("status@example.com", utf8: false), .rcptTo("kim@example.kr"), .data]))
        #expect(machine.replyTimeout == .seconds(300))
        #expect(machine.received(reply(250)) == .none)
        #expect(machine.received(reply(250)) == .none)
        #expect(machine.received(reply(354)) == .sendPayload(envelope.payload))
        #expect(machine.replyTimeout == .seconds(600))
        #expect(machine.received(reply(250, "2.0.0 queued as ABC")) == .messageSent(reply(250, "2.0.0 queued as ABC")))
        #expect(machine.isReady)
    }

    @Test func withoutPipeliningCommandsWaitForEachReply() {
        var machine = readyMachine(pipelining: false)
        #expect(machine.send(envelope) == .send([.mailFrom("status@example.com", utf8: false)]))
        #expect(machine.received(reply(250)) == .send([.rcptTo("kim@example.kr")]))
        #expect(machine.received(reply(250)) == .send([.data]))
        #expect(machine.replyTimeout == .seconds(120))
        #expect(machine.received(reply(354)) == .sendPayload(envelope.payload))
        #expect(machine.received(reply(250)) == .messageSent(reply(250)))
    }

    @Test func aRejectedRecipientFailsTheMessageAndResetsTheSession() {
        var machine = readyMachine()
        _ = machine.send(envelope)
        #expect(machine.received(reply(250)) == .none)
        #expect(machine.received(reply(550, "5.1.1 no such user")) == .none)
        let rejected = SMTPError.rejected(command: "RCPT TO", reply: reply(550, "5.1.1 no such user"))
        #expect(machine.received(reply(554, "5.5.1 no valid recipients")) == .messageFailed(rejected, reset: true))
        #expect(!rejected.isTransient)
        #expect(machine.received(reply(250)) == .none)
        #expect(machine.isReady)
    }

    @Test func a354AfterEveryRecipientFailedIsAnsweredWithAnEmptyBody() {
        var machine = readyMachine()
        _ = machine.send(envelope)
        _ = machine.received(reply(250))
        _ = machine.received(reply(450, "4.2.0 mailbox busy"))
        #expect(machine.received(reply(354)) == .sendPayload(".\r\n"))
        let error = SMTPError.rejected(command: "RCPT TO", reply: reply(450, "4.2.0 mailbox busy"))
        #expect(machine.received(reply(554)) == .messageFailed(error, reset: true))
        #expect(error.isTransient)
    }

    @Test func aFailureAtTheEndOfDataKeepsTheConnection() {
        var machine = readyMachine()
        _ = machine.send(envelope)
        _ = machine.received(reply(250))
        _ = machine.received(reply(250))
        _ = machine.received(reply(354))
        #expect(
            machine.received(reply(451, "4.3.0 try later")) == .messageFailed(.rejected(command: "end of DATA", reply: reply(451, "4.3.0 try later")), reset: true)
        )
        _ = machine.received(reply(250))
        #expect(machine.isReady)
    }

    @Test func a421AtAnyPointFailsTheConnection() {
        var machine = readyMachine()
        _ = machine.send(envelope)
        #expect(machine.received(reply(421, "4.3.2 shutting down")) == .fail(.rejected(command: "MAIL FROM", reply: reply(421, "4.3.2 shutting down"))))
        #expect(!machine.isReady)
    }

    @Test func aServerClosingEarlyOrTimingOutFailsTheConnectionTransiently() {
        var early = Machine(configuration: .init())
        #expect(early.closedByPeer() == .fail(.protocolViolation("the server closed the connection while waiting for the greeting")))
        var slow = readyMachine()
        _ = slow.send(envelope)
        let action = slow.timedOut()
        #expect(action == .fail(.timeout(stage: "MAIL FROM")))
    }

    @Test func aMessageOverTheServersSizeLimitIsRefusedBeforeSending() {
        var machine = readyMachine()
        let big = Machine.Envelope(sender: "a@example.com", recipient: "b@example.com", payload: String(repeating: "x", count: 2000))
        #expect(machine.send(big) == .messageFailed(.messageTooLarge(size: 2000, limit: 1000), reset: false))
        #expect(machine.isReady)
    }

    @Test func quitEndsAnIdleSession() {
        var machine = readyMachine()
        #expect(machine.quit() == .send([.quit]))
        #expect(machine.received(reply(221)) == .close)
        #expect(machine.closedByPeer() == .none)
    }

    @Test func commandsRenderAsCRLFLines() {
        #expect(SMTPCommand.mailFrom("a@example.com", utf8: true).line == "MAIL FROM:<a@example.com> SMTPUTF8\r\n")
        #expect(SMTPCommand.rcptTo("b@example.com").line == "RCPT TO:<b@example.com>\r\n")
        #expect(SMTPCommand.ehlo("h").line == "EHLO h\r\n")
    }
}

/// RFC 2920 §3.1: the next message's commands may follow a message's content in one group.
@Suite("SMTP state machine: pipelining across messages")
struct SMTPCrossMessagePipeliningTests {
    typealias Machine = SMTPConnectionStateMachine
    let base = SMTPConnectionStateMachineTests()
    let second = Machine.Envelope(sender: "status@example.com", recipient: "lee@example.kr", payload: "Subject: y\r\n\r\nyo\r\n.\r\n")

    /// A machine with the first message's content sent, awaiting its final reply.
    func awaitingFirstFinalReply(pipelining: Bool = true) -> Machine {
        var machine = base.readyMachine(pipelining: pipelining)
        _ = machine.send(base.envelope)
        _ = machine.received(base.reply(250))
        _ = machine.received(base.reply(250))
        #expect(machine.received(base.reply(354)) == .sendPayload(base.envelope.payload))
        return machine
    }

    @Test func aSecondMessageFollowsTheFirstsContentAndRepliesAreMatchedInOrder() {
        var machine = base.readyMachine()
        _ = machine.send(base.envelope)
        #expect(!machine.acceptsPipelinedMessage, "not before the first message's content is sent")
        machine = awaitingFirstFinalReply()
        #expect(machine.acceptsPipelinedMessage)
        #expect(machine.send(second) == .send([.mailFrom("status@example.com", utf8: false), .rcptTo("lee@example.kr"), .data]))
        #expect(!machine.acceptsPipelinedMessage, "one follower at a time")
        #expect(machine.received(base.reply(250, "queued as A")) == .messageSent(base.reply(250, "queued as A")))
        #expect(machine.received(base.reply(250)) == .none)
        #expect(machine.received(base.reply(250)) == .none)
        #expect(machine.received(base.reply(354)) == .sendPayload(second.payload))
        #expect(machine.received(base.reply(250, "queued as B")) == .messageSent(base.reply(250, "queued as B")))
        #expect(machine.isReady)
    }

    @Test func aRefusedFirstMessageSendsNoRSETThatWouldCancelTheFollower() {
        var machine = awaitingFirstFinalReply()
        _ = machine.send(second)
        let refusal = base.reply(554, "content rejected")
        #expect(machine.received(refusal) == .messageFailed(.rejected(command: "end of DATA", reply: refusal), reset: false))
        #expect(machine.received(base.reply(250)) == .none)
        #expect(machine.received(base.reply(250)) == .none)
        #expect(machine.received(base.reply(354)) == .sendPayload(second.payload))
        #expect(machine.received(base.reply(250)) == .messageSent(base.reply(250)))
    }

    @Test func aRefusedFollowerIsResetAndTheSessionGoesOn() {
        var machine = awaitingFirstFinalReply()
        _ = machine.send(second)
        _ = machine.received(base.reply(250))
        let unknown = base.reply(550, "no such user")
        #expect(machine.received(base.reply(250)) == .none)
        #expect(machine.received(unknown) == .none)
        #expect(machine.received(base.reply(354)) == .sendPayload(".\r\n"))
        #expect(machine.received(base.reply(250)) == .messageFailed(.rejected(command: "RCPT TO", reply: unknown), reset: true))
        #expect(machine.received(base.reply(250)) == .none, "RSET answered")
        #expect(machine.isReady)
    }

    @Test func a421WithAFollowerFailsTheConnectionAndForgetsTheFollower() {
        var machine = awaitingFirstFinalReply()
        _ = machine.send(second)
        let closing = base.reply(421, "shutting down")
        #expect(machine.received(closing) == .fail(.rejected(command: "end of DATA", reply: closing)))
        #expect(!machine.isOpen && !machine.acceptsPipelinedMessage)
    }

    @Test func withoutPipeliningNoMessageFollowsBeforeTheFinalReply() {
        let machine = awaitingFirstFinalReply(pipelining: false)
        #expect(!machine.acceptsPipelinedMessage)
    }
}
