import NIOCore
import NIOPosix
import Synchronization

/// An SMTP server on 127.0.0.1 that a test scripts reply by reply, to inject faults a real server
/// will not produce on demand: 421 at the greeting, 451 then 250, 550, no reply, a dropped connection.
///
/// By default it behaves: it offers PIPELINING, accepts every message with 250 and records it.
public final class ScriptedSMTPServer: Sendable {
    /// What happened, passed to the script.
    public enum Event: Sendable, Hashable {
        /// A client connected (`session` counts from 0).
        case connected(session: Int)
        /// A command line such as `MAIL FROM:<a@b.c>`.
        case command(String, session: Int)
        /// The message after DATA ended; `index` counts every message from 0.
        case message(Received, index: Int)
    }

    /// What to do about an event.
    public enum Reply: Sendable, Hashable {
        /// Send this reply (lines joined by CRLF, the final CRLF added).
        case reply(String)
        /// Never answer.
        case hang
        /// Close the connection without a word.
        case drop
    }

    /// One message as the server received it.
    public struct Received: Sendable, Hashable {
        public var sender: String
        public var recipient: String
        /// The DATA payload with dot-stuffing undone and CRLF line endings.
        public var data: String
    }

    public let port: Int
    private let channel: any Channel
    private let state: ServerState

    /// Messages answered with a 2xx, in order.
    public var accepted: [Received] { state.withLock { $0.accepted } }
    /// Every message that reached the end of DATA, whatever the answer.
    public var received: [Received] { state.withLock { $0.received } }
    /// How many connections were opened.
    public var sessions: Int { state.withLock { $0.sessions } }

    /// Starts the server; `script` returns `nil` for the default reply.
    public static func start(script: @escaping @Sendable (Event) -> Reply? = { _ in nil }) async throws -> ScriptedSMTPServer {
        let state = ServerState()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let session = state.withLock { state in
                        defer { state.sessions += 1 }
                        return state.sessions
                    }
                    try channel.pipeline.syncOperations.addHandler(SessionHandler(session: session, script: script, state: state))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return ScriptedSMTPServer(port: channel.localAddress?.port ?? 0, channel: channel, state: state)
    }

    private init(port: Int, channel: any Channel, state: ServerState) {
        self.port = port
        self.channel = channel
        self.state = state
    }

    public func stop() async {
        try? await channel.close()
    }
}

/// What every session of one server has seen, shared across event loops.
final class ServerState: Sendable {
    struct Values {
        var sessions = 0
        var received: [ScriptedSMTPServer.Received] = []
        var accepted: [ScriptedSMTPServer.Received] = []
    }

    private let values = Mutex(Values())

    func withLock<Result>(_ body: (inout Values) -> Result) -> Result {
        values.withLock { body(&$0) }
    }
}

/// One client session: splits lines, collects DATA, asks the script, writes replies.
private final class SessionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let session: Int
    let script: @Sendable (ScriptedSMTPServer.Event) -> ScriptedSMTPServer.Reply?
    let state: ServerState
    private var pending = ""
    private var sender = ""
    private var recipient = ""
    private var recipientAccepted = false
    private var data: [String]?

    init(session: Int, script: @escaping @Sendable (ScriptedSMTPServer.Event) -> ScriptedSMTPServer.Reply?, state: ServerState) {
        self.session = session
        self.script = script
        self.state = state
    }

    func channelActive(context: ChannelHandlerContext) {
        respond(script(.connected(session: session)) ?? .reply("220 fault.test ESMTP ready"), context: context)
    }

    func channelRead(context: ChannelHandlerContext, data buffer: NIOAny) {
        var buffer = unwrapInboundIn(buffer)
        pending += buffer.readString(length: buffer.readableBytes) ?? ""
        while let end = pending.range(of: "\r\n") {
            let line = String(pending[..<end.lowerBound])
            pending.removeSubrange(..<end.upperBound)
            if data != nil { bodyLine(line, context: context) } else { command(line, context: context) }
        }
    }

    private func command(_ line: String, context: ChannelHandlerContext) {
        let verb = line.prefix(while: { $0 != " " && $0 != ":" }).uppercased()
        let defaultReply: String
        switch verb {
        case "EHLO": defaultReply = "250-fault.test\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 SIZE 10485760"
        case "HELO": defaultReply = "250 fault.test"
        case "MAIL":
            sender = Self.address(in: line)
            recipientAccepted = false
            defaultReply = "250 2.1.0 ok"
        case "RCPT":
            recipient = Self.address(in: line)
            defaultReply = "250 2.1.5 ok"
        case "DATA":
            defaultReply = recipientAccepted ? "354 end with <CRLF>.<CRLF>" : "554 5.5.1 no valid recipients"
        case "QUIT":
            defaultReply = "221 bye"
        case "RSET", "NOOP":
            defaultReply = "250 ok"
        default:
            defaultReply = "502 command not implemented"
        }
        let reply = script(.command(line, session: session)) ?? .reply(defaultReply)
        if verb == "RCPT", case .reply(let text) = reply { recipientAccepted = text.hasPrefix("2") }
        if verb == "DATA", case .reply(let text) = reply, text.hasPrefix("354") { data = [] }
        respond(reply, context: context)
        if verb == "QUIT" { context.close(promise: nil) }
    }

    private func bodyLine(_ line: String, context: ChannelHandlerContext) {
        guard line != "." else {
            let message = ScriptedSMTPServer.Received(
                sender: sender, recipient: recipient, data: (data ?? []).map { $0 + "\r\n" }.joined()
            )
            data = nil
            recipientAccepted = false
            let index = state.withLock { state in
                defer { state.received.append(message) }
                return state.received.count
            }
            let reply = script(.message(message, index: index)) ?? .reply("250 2.0.0 queued as \(index)")
            if case .reply(let text) = reply, text.hasPrefix("2") { state.withLock { $0.accepted.append(message) } }
            respond(reply, context: context)
            return
        }
        data?.append(line.hasPrefix(".") ? String(line.dropFirst()) : line)
    }

    private func respond(_ reply: ScriptedSMTPServer.Reply, context: ChannelHandlerContext) {
        switch reply {
        case .reply(let text):
            context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: text + "\r\n")), promise: nil)
        case .hang:
            break
        case .drop:
            context.close(promise: nil)
        }
    }

    private static func address(in line: String) -> String {
        guard let open = line.firstIndex(of: "<"), let close = line[open...].firstIndex(of: ">") else { return "" }
        return String(line[line.index(after: open)..<close])
    }
}
