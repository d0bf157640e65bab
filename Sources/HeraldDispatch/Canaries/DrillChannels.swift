import Foundation
import HeraldCore
import Synchronization

/// A channel a drill treats as down: every delivery fails at once, as a refused connection would,
/// and nothing reaches the real channel.
struct DownChannel: Channel {
    let name: String
    let kind: ChannelKind

    func deliver(_ delivery: Delivery) async throws {
        throw DeliveryError(reason: .connection, isRetryable: true, detail: "\(name) is down for this drill")
    }
}

/// A channel as it is, noting when each delivery it accepted finished: the drill's clock for "time to
/// the first delivery".
final class TimedChannel: Channel {
    let base: any Channel
    let clock: any WallClock
    private let finished = Mutex<[String: Date]>([:])

    init(_ base: any Channel, clock: any WallClock) {
        self.base = base
        self.clock = clock
    }

    var name: String { base.name }
    var kind: ChannelKind { base.kind }
    var messagesPerConnection: Int { base.messagesPerConnection }

    func deliver(_ delivery: Delivery) async throws {
        try await base.deliver(delivery)
        let now = clock.now()
        finished.withLock { $0[delivery.messageID] = now }
    }

    func shutdown() async throws { try await base.shutdown() }

    /// When the delivery of `messageID` was accepted, if it was.
    func finishedAt(_ messageID: String) -> Date? { finished.withLock { $0[messageID] } }
}
