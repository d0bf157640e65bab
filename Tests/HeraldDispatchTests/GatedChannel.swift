import Foundation
import HeraldCore
import Synchronization

/// A channel that tells the test when a delivery starts and holds it until the test opens the gate.
final class GatedChannel: Channel {
    let name = "outbox"
    let kind = ChannelKind.outbox
    /// Yields the message id of each delivery as it starts.
    let started: AsyncStream<String>
    private let startedContinuation: AsyncStream<String>.Continuation
    private let gate = Mutex<(open: Bool, waiting: [(id: String, continuation: CheckedContinuation<Void, Never>)])>((false, []))

    init() {
        (started, startedContinuation) = AsyncStream.makeStream(of: String.self)
    }

    func deliver(_ delivery: Delivery) async throws {
        startedContinuation.yield(delivery.messageID)
        await withCheckedContinuation { continuation in
            let proceed = gate.withLock { gate -> Bool in
                if gate.open { return true }
                gate.waiting.append((delivery.messageID, continuation))
                return false
            }
            if proceed { continuation.resume() }
        }
    }

    /// Lets every held and future delivery finish.
    func open() {
        let waiting = gate.withLock { gate -> [CheckedContinuation<Void, Never>] in
            gate.open = true
            defer { gate.waiting.removeAll() }
            return gate.waiting.map(\.continuation)
        }
        for continuation in waiting { continuation.resume() }
    }

    /// Lets the held delivery of one message finish; the others stay held.
    func release(_ messageID: String) {
        let held = gate.withLock { gate -> CheckedContinuation<Void, Never>? in
            guard let index = gate.waiting.firstIndex(where: { $0.id == messageID }) else { return nil }
            return gate.waiting.remove(at: index).continuation
        }
        held?.resume()
    }
}
