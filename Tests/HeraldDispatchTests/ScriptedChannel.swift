import Foundation
import HeraldCore
import Synchronization

/// A channel whose answers the test scripts, one per delivery in order (the last repeats), and that
/// remembers what it was asked to deliver.
final class ScriptedChannel: Channel {
    let name: String
    let kind: ChannelKind
    private let state: Mutex<(answers: [DeliveryError?], deliveries: [Delivery])>

    init(name: String, kind: ChannelKind = .outbox, answers: [DeliveryError?] = [nil]) {
        self.name = name
        self.kind = kind
        self.state = Mutex((answers, []))
    }

    var deliveries: [Delivery] { state.withLock { $0.deliveries } }

    func deliver(_ delivery: Delivery) async throws {
        let answer = state.withLock { state -> DeliveryError? in
            state.deliveries.append(delivery)
            return state.answers.count > 1 ? state.answers.removeFirst() : state.answers.first ?? nil
        }
        if let answer { throw answer }
    }
}

extension DeliveryError {
    static let refused = DeliveryError(reason: .connection, isRetryable: true, detail: "connection refused")
    static let gone = DeliveryError(reason: .rejected, isRetryable: false, detail: "HTTP 410")
    static func slowDown(_ seconds: Int) -> DeliveryError {
        DeliveryError(reason: .rateLimited, isRetryable: true, retryAfter: .seconds(seconds), detail: "HTTP 429")
    }
}
