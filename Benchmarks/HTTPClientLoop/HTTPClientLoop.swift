import AsyncHTTPClient
import Foundation
import HeraldChannels
import HeraldCore
import NIOCore
import Synchronization

/// `herald-http-loop ahc|channel URL REQUESTS CONCURRENCY`: POSTs a ~600-byte webhook-shaped JSON body
/// REQUESTS times, CONCURRENCY at once, and prints `requests/s` — through AsyncHTTPClient (`ahc`, a
/// pool of CONCURRENCY connections) or through Herald's `WebhookChannel` (`channel`: JSON body, Standard
/// Webhooks signature and the channel's own kept-alive pool). Nothing else of Herald runs: this is the
/// ceiling of each client on this machine, beside which the end-to-end figure is read.
@main
struct HTTPClientLoop {
    static func main() async throws {
        let arguments = CommandLine.arguments.dropFirst()
        guard arguments.count == 4, let requests = Int(arguments[arguments.startIndex + 2]), let concurrency = Int(arguments[arguments.startIndex + 3]),
            requests > 0, concurrency > 0
        else {
            FileHandle.standardError.write(Data("usage: herald-http-loop ahc|channel URL REQUESTS CONCURRENCY\n".utf8))
            exit(2)
        }
        let client = arguments[arguments.startIndex]
        let url = arguments[arguments.startIndex + 1]
        let send: @Sendable (Int) async throws -> Void
        let shutdown: @Sendable () async throws -> Void
        switch client {
        case "ahc":
            var pool = HTTPClient.Configuration.ConnectionPool()
            pool.concurrentHTTP1ConnectionsPerHostSoftLimit = concurrency
            let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: .init(connectionPool: pool))
            let body = ByteBuffer(bytes: sampleBody)
            send = { index in
                var request = HTTPClientRequest(url: url)
                request.method = .POST
                request.headers.add(name: "content-type", value: "application/json")
                request.headers.add(name: "user-agent", value: "Herald")
                request.headers.add(name: "webhook-id", value: "msg_\(index)")
                request.headers.add(name: "webhook-timestamp", value: "1735689600")
                request.headers.add(name: "webhook-signature", value: "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=")
                request.body = .bytes(body)
                let response = try await http.execute(request, timeout: .seconds(10))
                guard response.status.code / 100 == 2 else { throw LoopFailure(status: Int(response.status.code)) }
            }
            shutdown = { try await http.shutdown() }
        case "channel":
            let channel = WebhookChannel(
                name: "loop", configuration: .init(url: URL(string: url), signingKey: Array("herald-demo-signing-key".utf8), connections: concurrency)
            )
            send = { index in try await channel.deliver(sampleDelivery(index)) }
            shutdown = { try await channel.shutdown() }
        default:
            FileHandle.standardError.write(Data("herald-http-loop: the client is ahc or channel, not \(client)\n".utf8))
            exit(2)
        }
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            let next = Counter()
            for _ in 0..<concurrency {
                group.addTask {
                    while let index = next.take(below: requests) { try await send(index) }
                }
            }
            try await group.waitForAll()
        }
        let seconds = (ContinuousClock.now - started).timeInterval
        try await shutdown()
        print(String(format: "%.0f", Double(requests) / seconds))
    }

    static let sampleBody = Array(
        #"{"data":{"broadcast_id":"bc_01J9Z3K7Q8W2E4R6T8Y0U2I4O6","event":"outage","html":null,"incident_id":null,"locale":"en","recipient":{"id":"u12345"},"service":"Messenger","started_at":"15:30","status":"outage","subject":"Messenger is down — we are sorry","template":"outage-apology","text":"Dear User 12345,\n\nMessenger has been unavailable since 15:30. We know how much you rely on it, and we are sorry.\n\nOur engineers are restoring the most-used features first. Your data is safe.","vars":{"service":"Messenger","started_at":"15:30"}},"id":"msg_01J9Z3K7Q8W2E4R6T8Y0U2I4O6","timestamp":"2025-01-01T00:00:00Z","type":"notice.outage-apology"}"#.utf8
    )

    /// A delivery whose body comes out the size of `sampleBody`.
    static func sampleDelivery(_ index: Int) -> Delivery {
        Delivery(
            messageID: "msg_\(index)", recipient: Recipient(id: "u\(index)", name: "User \(index)"),
            rendered: RenderedNotice(
                template: "outage-apology", locale: "en", subject: "Messenger is down — we are sorry",
                text: "Dear User \(index),\n\nMessenger has been unavailable since 15:30. We know how much you rely on it, and we are sorry.\n\nOur engineers are restoring the most-used features first. Your data is safe.",
                webhook: ["event": "outage", "service": "Messenger", "started_at": "15:30", "status": "outage"]
            ),
            vars: ["service": "Messenger", "started_at": "15:30"], noticeID: "bc_1", broadcastID: "bc_1", incidentID: nil, attemptedAt: Date()
        )
    }
}

/// Hands out request numbers to the loop's tasks.
final class Counter: Sendable {
    private let value = Mutex(0)

    func take(below limit: Int) -> Int? {
        value.withLock { value in
            guard value < limit else { return nil }
            value += 1
            return value - 1
        }
    }
}

struct LoopFailure: Error, CustomStringConvertible {
    var status: Int
    var description: String { "the receiver answered \(status)" }
}
