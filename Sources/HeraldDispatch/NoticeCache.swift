import HeraldCore
import HeraldStore
import Synchronization

/// Notices by id, so a broadcast's template and variables are read from the store once per worker, not once per message.
final class NoticeCache: Sendable {
    private let store: any MessageStore
    private let entries = Mutex<[String: Notice]>([:])
    private let capacity: Int

    init(store: any MessageStore, capacity: Int = 1024) {
        self.store = store
        self.capacity = capacity
    }

    func notice(id: String) async throws -> Notice? {
        if let cached = entries.withLock({ $0[id] }) { return cached }
        guard let notice = try await store.notice(id: id) else { return nil }
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[id] = notice
        }
        return notice
    }
}
