import HeraldCore
import HeraldStore
import Synchronization

/// The accept's look at the suppression list: a message whose route can use none of the recipient's
/// contact points (or reaches one whose person said no) is queued already `suppressed`, with why, so
/// `status` and dry runs count it and no worker claims it.
///
/// A single send looks its recipient up. A broadcast reads the whole list once, when it holds at most
/// `snapshotLimit` contact points, and then screens each recipient in memory; a longer list is looked
/// up a batch of recipients at a time. Measured with `scripts/bench` (a2): looking up every batch of
/// 2,000 cost about 4 µs a recipient even against an empty list, a third of the accept.
final class ConsentScreen: Sendable {
    /// How the list is read: whole once (`broadcast`) or for the recipients at hand (`single`).
    enum Reading: Sendable {
        case single
        case broadcast
    }


    let store: any SuppressionLookup
    let planner: RoutePlanner
    let route: [String]
    let category: String
    let reading: Reading
    /// The longest list (in contact points) a broadcast reads whole: 100,000 is about 10 MiB in memory.
    let snapshotLimit: Int
    /// Messages screened out so far.
    let suppressed = Tally()
    /// The whole list, once read; `.none` inside when it was too long to read whole.
    private let snapshot = Mutex<Consent??>(nil)

    init(
        store: any SuppressionLookup, planner: RoutePlanner, route: [String], category: String, reading: Reading, snapshotLimit: Int = 100_000
    ) {
        self.snapshotLimit = snapshotLimit
        self.store = store
        self.planner = planner
        self.route = route
        self.category = category
        self.reading = reading
    }

    /// `messages`, each with its `suppression` set when the list rules its recipient out.
    func screen(_ messages: [NewMessage]) async throws -> [NewMessage] {
        let consent: Consent
        if reading == .broadcast, let whole = try await wholeList() {
            consent = whole
        } else {
            consent = try await store.consent(for: messages.flatMap { planner.contactPoints(of: $0.recipient, route: route) }, category: category)
        }
        guard !consent.suppressed.isEmpty else { return messages }
        return messages.map { message in
            var message = message
            message.suppression = planner.suppression(route: route, recipient: message.recipient, consent: consent)
            if message.suppression != nil { suppressed.add(1) }
            return message
        }
    }

    /// The whole list as a `Consent`, read on first use; `nil` when it holds more than `snapshotLimit` contact points.
    private func wholeList() async throws -> Consent? {
        if let read = snapshot.withLock({ $0 }) { return read }
        var entries: [Suppression] = []
        var after: String?
        var contacts = 0
        while contacts <= snapshotLimit {
            let page = try await store.suppressionList(after: after, limit: 1000)
            guard let last = page.last else { break }
            entries += page
            contacts += Set(page.map(\.contact.value)).count
            after = last.contact.value
        }
        let whole = contacts <= snapshotLimit ? Consent(category: category, suppressions: entries) : nil
        snapshot.withLock { $0 = .some(whole) }
        return whole
    }
}

/// A count shared between a source the store consumes and the accept that reports it.
final class Tally: Sendable {
    private let count = Atomic<Int>(0)

    func add(_ amount: Int) { count.add(amount, ordering: .relaxed) }
    var value: Int { count.load(ordering: .relaxed) }
}
