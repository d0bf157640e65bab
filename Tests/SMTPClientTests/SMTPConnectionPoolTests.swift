import Foundation
import HeraldTestSupport
import SMTPClient
import Testing

/// The pool against the fault-injecting server: reuse, the connection limit, and what happens to a
/// session after each kind of failure.
@Suite("SMTP connection pool", .hangGuard)
struct SMTPConnectionPoolTests {
    func envelope(_ n: Int) -> SMTPConnectionStateMachine.Envelope {
        .init(sender: "status@example.com", recipient: "user\(n)@example.kr", payload: "Subject: \(n)\r\n\r\nbody \(n)\r\n.\r\n")
    }

    func pool(_ server: ScriptedSMTPServer, connections: Int = 2, timeout: Duration? = nil) -> SMTPConnectionPool {
        SMTPConnectionPool(
            configuration: .init(
                host: "127.0.0.1", port: server.port,
                connection: .init(session: .init(hostname: "herald.test", security: .none), timeouts: .init(maximum: timeout)),
                maximumConnections: connections
            )
        )
    }

    @Test func messagesInTurnReuseOneSession() async throws {
        let server = try await ScriptedSMTPServer.start()
        let pool = pool(server)
        for n in 0..<5 { _ = try await pool.send(envelope(n)) }
        await pool.shutdown()
        await server.stop()
        #expect(server.sessions == 1)
        #expect(server.accepted.map(\.recipient) == (0..<5).map { "user\($0)@example.kr" })
    }

    @Test func concurrentMessagesNeverOpenMoreThanTheLimit() async throws {
        let server = try await ScriptedSMTPServer.start()
        let pool = pool(server, connections: 3)
        try await withThrowingTaskGroup(of: SMTPReply.self) { group in
            for n in 0..<40 { group.addTask { try await pool.send(self.envelope(n)) } }
            for try await reply in group { #expect(reply.code == 250) }
        }
        #expect(pool.connectionCount <= 3)
        await pool.shutdown()
        await server.stop()
        #expect(server.sessions <= 3)
        #expect(Set(server.accepted.map(\.recipient)).count == 40)
    }

    @Test func onOnePipeliningSessionMessagesFollowEachOtherInOrderAndARefusedOneFailsAlone() async throws {
        let server = try await ScriptedSMTPServer.start { event in
            if case .message(_, index: 3) = event { return .reply("554 5.7.1 content refused") }
            return nil
        }
        let pool = pool(server, connections: 1)
        let outcomes = await withTaskGroup(of: (Int, Bool).self) { group in
            for n in 0..<12 {
                group.addTask {
                    do { return (n, try await pool.send(self.envelope(n)).code == 250) } catch { return (n, false) }
                }
            }
            return await group.reduce(into: [Int: Bool]()) { $0[$1.0] = $1.1 }
        }
        await pool.shutdown()
        await server.stop()
        #expect(server.sessions == 1)
        #expect(outcomes.filter { !$0.value }.count == 1, "only the message the server refused failed")
        #expect(server.accepted.count == 11)
        #expect(server.received.count == 12, "every message reached the server once")
    }

    @Test func aServerWithoutPipeliningGetsOneMessageAtATimeOnTheSession() async throws {
        let server = try await ScriptedSMTPServer.start { event in
            if case .command(let line, _) = event, line.hasPrefix("EHLO") { return .reply("250-plain.test\r\n250 8BITMIME") }
            return nil
        }
        let pool = pool(server, connections: 1)
        try await withThrowingTaskGroup(of: SMTPReply.self) { group in
            for n in 0..<6 { group.addTask { try await pool.send(self.envelope(n)) } }
            for try await reply in group { #expect(reply.code == 250) }
        }
        await pool.shutdown()
        await server.stop()
        #expect(server.sessions == 1)
        #expect(server.accepted.count == 6)
    }

    @Test func aRefusedRecipientLeavesTheSessionUsable() async throws {
        let server = try await ScriptedSMTPServer.start { event in
            if case .command(let line, _) = event, line.contains("user0@") { return .reply("550 5.1.1 no such user") }
            return nil
        }
        let pool = pool(server)
        await #expect(throws: SMTPError.self) { _ = try await pool.send(envelope(0)) }
        _ = try await pool.send(envelope(1))
        await pool.shutdown()
        await server.stop()
        #expect(server.sessions == 1, "RSET, then the next message on the same session")
        #expect(server.accepted.map(\.recipient) == ["user1@example.kr"])
    }

    @Test func aFourTwentyOneClosesTheSessionAndTheNextMessageOpensANewOne() async throws {
        let server = try await ScriptedSMTPServer.start { event in
            if case .message(_, index: 0) = event { return .reply("421 4.3.0 shutting down") }
            return nil
        }
        let pool = pool(server)
        do {
            _ = try await pool.send(envelope(0))
            Issue.record("a 421 must fail the message")
        } catch let error as SMTPError {
            #expect(error.isTransient)
            #expect(error.description.contains("421"))
        }
        _ = try await pool.send(envelope(1))
        await pool.shutdown()
        await server.stop()
        #expect(server.sessions == 2)
        #expect(server.accepted.map(\.recipient) == ["user1@example.kr"])
    }

    @Test func aSessionTheServerDroppedWhileIdleIsReplacedWithoutFailingTheMessage() async throws {
        let server = try await ScriptedSMTPServer.start { event in
            // The first session is dropped at its second MAIL FROM, as a server ending an idle session would.
            if case .command(let line, session: 0) = event, line.contains("user1@") { return .drop }
            return nil
        }
        let pool = pool(server)
        _ = try await pool.send(envelope(0))
        let reply = try await pool.send(envelope(1))
        await pool.shutdown()
        await server.stop()
        #expect(reply.code == 250)
        #expect(server.sessions == 2)
        #expect(server.accepted.map(\.recipient) == ["user0@example.kr", "user1@example.kr"])
    }

    @Test func aServerThatNeverAnswersTimesOut() async throws {
        let server = try await ScriptedSMTPServer.start { event in
            if case .message = event { return .hang }
            return nil
        }
        let pool = pool(server, timeout: .milliseconds(200))
        await #expect(throws: SMTPError.timeout(stage: "end of DATA")) { _ = try await pool.send(envelope(0)) }
        await pool.shutdown()
        await server.stop()
    }

    @Test func aMessageWaitingForABusySessionStopsWaitingWhenItsTaskIsCancelled() async throws {
        let (arrivals, arrived) = AsyncStream.makeStream(of: Int.self)
        // No PIPELINING, so the second message cannot follow the first on its session.
        let server = try await ScriptedSMTPServer.start { event in
            if case .command(let line, _) = event, line.hasPrefix("EHLO") { return .reply("250-plain.test\r\n250 8BITMIME") }
            if case .message(_, let index) = event {
                arrived.yield(index)
                return .hang
            }
            return nil
        }
        // The first message hangs until this timeout: long enough for the cancellation below on a busy machine.
        let pool = pool(server, connections: 1, timeout: .seconds(20))
        let first = Task { try await pool.send(envelope(0)) }
        var received = arrivals.makeAsyncIterator()
        #expect(await received.next() == 0, "the first message holds the only session")
        let waiting = Task { try await pool.send(envelope(1)) }
        waiting.cancel()
        await #expect(throws: CancellationError.self) { _ = try await waiting.value }
        #expect(server.sessions == 1, "the cancelled message never opened a session of its own")
        await #expect(throws: SMTPError.timeout(stage: "end of DATA")) { _ = try await first.value }
        await pool.shutdown()
        await server.stop()
    }

    @Test func aFourFiftyOneIsTransientAndTheRetrySucceeds() async throws {
        let server = try await ScriptedSMTPServer.start { event in
            if case .message(_, index: 0) = event { return .reply("451 4.7.1 greylisted, try again later") }
            return nil
        }
        let pool = pool(server)
        do {
            _ = try await pool.send(envelope(0))
            Issue.record("a 451 must fail the message")
        } catch let error as SMTPError {
            #expect(error.isTransient)
        }
        _ = try await pool.send(envelope(0))
        await pool.shutdown()
        await server.stop()
        #expect(server.received.count == 2)
        #expect(server.accepted.count == 1)
        #expect(server.sessions == 1)
    }
}
