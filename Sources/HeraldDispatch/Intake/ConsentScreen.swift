import HeraldCore
import HeraldStore
import Synchronization

/// The accept's look at the suppression list: a message whose route can use none of the recipient's
/// contact points (or reaches one whose person said no) is queued already `suppressed`, with why, so
/// `status` and dry runs count it and no worker claims it. One lookup per batch of recipients.
struct ConsentScreen: Sendable {
    let store: any SuppressionLookup
    let planner: RoutePlanner
    let route: [String]
    let category: String
    /// Messages screened out so far.
    let suppressed = Tally()

    /// `messages`, each with its `suppression` set when the list rules its recipient out.
    func screen(_ messages: [NewMessage]) async throws -> [NewMessage] {
        let contacts = messages.flatMap { planner.contactPoints(of: $0.recipient, route: route) }
        let consent = try await store.consent(for: contacts, category: category)
        guard !consent.suppressed.isEmpty else { return messages }
        return messages.map { message in
            var message = message
            message.suppression = planner.suppression(route: route, recipient: message.recipient, consent: consent)
            if message.suppression != nil { suppressed.add(1) }
            return message
        }
    }
}

/// A count shared between a source the store consumes and the accept that reports it.
final class Tally: Sendable {
    private let count = Atomic<Int>(0)

    func add(_ amount: Int) { count.add(amount, ordering: .relaxed) }
    var value: Int { count.load(ordering: .relaxed) }
}
