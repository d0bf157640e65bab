import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization

/// A real HTTP server on 127.0.0.1 (a random port) that records every request and answers as the test scripts it:
/// a status and headers, or no answer at all (to exercise timeouts).
public final class HTTPSink: Sendable {
    /// One request as the sink received it (header names lower-cased).
    public struct Request: Sendable {
        public var method: String
        public var path: String
        public var headers: [String: String]
        public var body: [UInt8]
        /// The client's port: requests with the same one came over the same kept-alive connection.
        public var clientPort: Int

        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// What to answer.
    public enum Reply: Sendable {
        case status(Int, headers: [String: String] = [:], body: String = "")
        /// Do not answer before the sink stops; the client's timeout has to end the request.
        case hang
        /// Answer with `status` after `delay` (a slow receiver).
        case slow(Int, delay: Duration)
    }

    public let port: Int
    private let requests: RequestLog
    private let server: ServiceGroup
    private let stopped: StopSignal
    private let task: Task<Void, any Error>

    public var url: String { "http://127.0.0.1:\(port)" }

    /// Everything received so far, in arrival order.
    public var received: [Request] { requests.all }

    /// Starts the server; `reply` is called with each request and the number of requests before it.
    /// - Parameter port: `0` picks a free port.
    public static func start(port: Int = 0, reply: @escaping @Sendable (Request, Int) -> Reply = { _, _ in .status(204) }) async throws -> HTTPSink {
        let requests = RequestLog()
        let stopped = StopSignal()
        let router = Router(context: SinkContext.self)
        router.post("**") { request, context -> Response in
            let body = try await request.body.collect(upTo: 16 << 20)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            let received = Request(method: "POST", path: request.uri.path, headers: headers, body: Array(buffer: body), clientPort: context.clientPort)
            let index = requests.append(received)
            switch reply(received, index) {
            case .status(let code, let extra, let text):
                var fields = HTTPFields()
                for (name, value) in extra { if let name = HTTPField.Name(name) { fields[name] = value } }
                return Response(status: .init(code: code), headers: fields, body: .init(byteBuffer: ByteBuffer(string: text)))
            case .hang:
                await stopped.wait()
                return Response(status: .noContent)
            case .slow(let code, let delay):
                try await Task.sleep(for: delay)
                return Response(status: .init(code: code))
            }
        }
        let (portStream, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let silent = Logger(label: "sink") { _ in SwiftLogNoOpLogHandler() }
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: port)),
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? 0)
                portContinuation.finish()
            },
            logger: silent
        )
        let server = ServiceGroup(configuration: .init(services: [app], logger: silent))
        let task = Task {
            // If the server cannot start (the port is taken), the wait below ends instead of hanging.
            defer { portContinuation.finish() }
            try await server.run()
        }
        var iterator = portStream.makeAsyncIterator()
        guard let port = await iterator.next() else {
            _ = await task.result
            throw SinkDidNotStart(port: port)
        }
        return HTTPSink(port: port, requests: requests, server: server, stopped: stopped, task: task)
    }

    private init(port: Int, requests: RequestLog, server: ServiceGroup, stopped: StopSignal, task: Task<Void, any Error>) {
        self.port = port
        self.requests = requests
        self.server = server
        self.stopped = stopped
        self.task = task
    }

    /// Returns once the requests received satisfy `condition` (checked on every arrival), or throws after `timeout`.
    public func wait(timeout: Duration = .seconds(120), until condition: @escaping @Sendable ([Request]) -> Bool) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await self.requests.wait(until: condition) }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw SinkTimeout()
            }
            try await group.next()
            group.cancelAll()
        }
    }

    /// The server could not listen (the port is taken).
    public struct SinkDidNotStart: Error, CustomStringConvertible {
        public var port: Int
        public var description: String { "cannot listen on 127.0.0.1:\(port)" }
    }

    /// The sink did not see what a test waited for in time.
    public struct SinkTimeout: Error {}

    /// Stops listening, lets requests in progress finish (a hanging one answers now) and returns once the server is gone.
    ///
    /// Graceful, not cancelled: cancelling a NIO server while an accepted connection waits to be served
    /// traps ("Deinited NIOAsyncWriter without calling finish()", apple/swift-nio#3481).
    public func stop() async {
        stopped.signal()
        await server.triggerGracefulShutdown()
        _ = await task.result
    }

    /// A port on 127.0.0.1 that was free a moment ago (bound, then closed), for a child server to listen on.
    /// Another process may take it first; `ServerProcess` starts again on another one when that happens.
    public static func freePort() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress?.port ?? 1
        try await channel.close()
        return port
    }

    /// A port on 127.0.0.1 where every connection is refused, for as long as the test process lives.
    ///
    /// A port merely closed again can be handed to the next server any test starts, and a "dead" receiver
    /// would then answer. This one stays bound without listening, which the kernel answers with a reset
    /// and never gives out to another `bind` to port 0. A test may still listen there itself, to bring the
    /// receiver "back": `HTTPSink.start(port:)` binds with `SO_REUSEADDR`, as this reservation does.
    public static func refusingPort() throws -> Int {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw PortReservationFailed(errno: errno) }
        var on: Int32 = 1
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size)) == 0
                    && bind(socket, generic, length) == 0
                    && getsockname(socket, generic, &length) == 0
            }
        }
        guard bound else {
            let failure = PortReservationFailed(errno: errno)
            close(socket)
            throw failure
        }
        return Int(UInt16(bigEndian: address.sin_port))  // the socket is kept open on purpose: it holds the port
    }

    /// The kernel refused a socket for `refusingPort()`.
    public struct PortReservationFailed: Error, CustomStringConvertible {
        public var errno: Int32
        public var description: String { "cannot reserve a port on 127.0.0.1: \(String(cString: strerror(errno)))" }
    }
}

/// Ends the waits of hanging replies when the sink stops.
final class StopSignal: Sendable {
    private let state = Mutex<(stopped: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func wait() async {
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLock { state in
                if !state.stopped { state.waiters.append(continuation) }
                return state.stopped
            }
            if resumeNow { continuation.resume() }
        }
    }

    func signal() {
        let waiters = state.withLock { state in
            state.stopped = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}

/// The requests a sink received, shared between its handlers and the test, with waiters woken as requests arrive.
final class RequestLog: Sendable {
    private struct Waiter {
        var condition: @Sendable ([HTTPSink.Request]) -> Bool
        var continuation: CheckedContinuation<Void, Never>
    }
    private let state = Mutex<(requests: [HTTPSink.Request], waiters: [Waiter])>(([], []))

    var all: [HTTPSink.Request] { state.withLock { $0.requests } }

    /// Appends and returns how many came before.
    func append(_ request: HTTPSink.Request) -> Int {
        let (index, satisfied) = state.withLock { state -> (Int, [CheckedContinuation<Void, Never>]) in
            state.requests.append(request)
            let requests = state.requests
            let satisfied = state.waiters.filter { $0.condition(requests) }.map(\.continuation)
            state.waiters.removeAll { $0.condition(requests) }
            return (requests.count - 1, satisfied)
        }
        for continuation in satisfied { continuation.resume() }
        return index
    }

    func wait(until condition: @escaping @Sendable ([HTTPSink.Request]) -> Bool) async {
        await withCheckedContinuation { continuation in
            let done = state.withLock { state -> Bool in
                if condition(state.requests) { return true }
                state.waiters.append(Waiter(condition: condition, continuation: continuation))
                return false
            }
            if done { continuation.resume() }
        }
    }
}

/// The request context of the sink's router: Hummingbird's, plus the client's port.
struct SinkContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let clientPort: Int

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        clientPort = source.channel.remoteAddress?.port ?? 0
    }
}
