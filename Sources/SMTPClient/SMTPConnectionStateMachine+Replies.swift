extension SMTPConnectionStateMachine {
    mutating func ehloReplied(_ reply: SMTPReply) -> Action {
        guard reply.isSuccess else {
            // An old server that does not know EHLO: fall back to HELO, unless STARTTLS is required (it needs EHLO).
            if reply.isPermanent, configuration.security != .startTLS || isSecured {
                state = .helo
                return .send([.helo(configuration.hostname)])
            }
            return failed(.rejected(command: "EHLO", reply: reply))
        }
        capabilities = SMTPCapabilities(ehlo: reply)
        if configuration.security == .startTLS, !isSecured {
            guard capabilities.startTLS else { return failed(.startTLSNotOffered) }
            state = .startTLS
            return .send([.startTLS])
        }
        return afterHello()
    }

    /// After EHLO/HELO on the final transport: authenticate when configured, else ready.
    mutating func afterHello() -> Action {
        guard let username = configuration.username, let password = configuration.password else {
            state = .ready
            return .connectionReady
        }
        guard isSecured || configuration.allowInsecureAuth else { return failed(.insecureAuthRefused) }
        if capabilities.authMechanisms.contains("PLAIN") {
            state = .auth(.plain)
            return .send([.authPlain(username: username, password: password)])
        }
        if capabilities.authMechanisms.contains("LOGIN") {
            state = .auth(.loginUser)
            return .send([.authLogin])
        }
        return failed(.noUsableAuthMechanism(offered: capabilities.authMechanisms))
    }

    mutating func authReplied(_ reply: SMTPReply, step: AuthStep) -> Action {
        switch step {
        case .plain, .loginResult:
            guard reply.code == 235 else { return failed(.rejected(command: "AUTH", reply: reply)) }
            state = .ready
            return .connectionReady
        case .loginUser:
            guard reply.code == 334 else { return failed(.rejected(command: "AUTH LOGIN", reply: reply)) }
            state = .auth(.loginPassword)
            return .send([.authLoginStep(configuration.username ?? "")])
        case .loginPassword:
            guard reply.code == 334 else { return failed(.rejected(command: "AUTH LOGIN", reply: reply)) }
            state = .auth(.loginResult)
            return .send([.authLoginStep(configuration.password ?? "")])
        }
    }

    /// One reply of a MAIL/RCPT/DATA transaction. With pipelining every reply comes even after a
    /// failure; the first failure is the message's error.
    mutating func transactionReplied(_ reply: SMTPReply, transaction: inout Transaction) -> Action {
        guard let step = transaction.awaiting.first else { preconditionFailure("a transaction reply with nothing awaited") }
        transaction.awaiting.removeFirst()
        let envelope = transaction.envelope
        switch step {
        case .mail, .rcpt:
            if reply.isSuccess {
                if !transaction.pipelined {
                    transaction.awaiting = [step == .mail ? .rcpt : .data]
                    state = .transaction(transaction)
                    return .send([step == .mail ? .rcptTo(envelope.recipient) : .data])
                }
                state = .transaction(transaction)
                return .none
            }
            transaction.firstFailure = transaction.firstFailure ?? .rejected(command: step == .mail ? "MAIL FROM" : "RCPT TO", reply: reply)
            guard transaction.pipelined else { return finishFailed(transaction) }
            state = .transaction(transaction)
            return .none
        case .data:
            guard reply.code == 354 else {
                transaction.firstFailure = transaction.firstFailure ?? .rejected(command: "DATA", reply: reply)
                return finishFailed(transaction)
            }
            if transaction.firstFailure != nil {
                transaction.awaiting = [.discardedBody]
                state = .transaction(transaction)
                return .sendPayload(".\r\n")
            }
            transaction.awaiting = [.body]
            state = .transaction(transaction)
            return .sendPayload(envelope.payload)
        case .body:
            // The transaction is over either way; a pipelined follower's replies come next.
            let next = follower
            follower = nil
            guard reply.isSuccess else {
                let failure = SMTPError.rejected(command: "end of DATA", reply: reply)
                guard let next else {
                    transaction.firstFailure = failure
                    return finishFailed(transaction)
                }
                // No RSET: the final reply ended the transaction, and RSET would cancel the follower's.
                state = .transaction(next)
                return .messageFailed(failure, reset: false)
            }
            state = next.map { .transaction($0) } ?? .ready
            return .messageSent(reply)
        case .discardedBody:
            return finishFailed(transaction)
        }
    }

    /// The message failed; reset the session so the connection can carry the next one.
    mutating func finishFailed(_ transaction: Transaction) -> Action {
        state = .resetting
        return .messageFailed(transaction.firstFailure ?? .protocolViolation("transaction failed"), reset: true)
    }
}
