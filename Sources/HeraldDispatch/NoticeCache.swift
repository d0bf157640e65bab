import HeraldCore
import HeraldStore

/// Notices by id, so a broadcast's template and variables are read from the store once per worker, not once per message.
final class NoticeCache: Sendable {
    private let store: any DeliveryQueue
    private let entries = BoundedCache<String, Notice>(capacity: 1024)

    init(store: any DeliveryQueue) {
        self.store = store
    }

    func notice(id: String) async throws -> Notice? {
        if let cached = entries[id] { return cached }
        guard let notice = try await store.notice(id: id) else { return nil }
        entries.insert(notice, for: id)
        return notice
    }
}
