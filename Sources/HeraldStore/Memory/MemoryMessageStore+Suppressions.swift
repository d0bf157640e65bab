import Foundation
import HeraldCore

extension MemoryMessageStore {
    public func suppressions(of contacts: [ContactPoint]) async throws -> [Suppression] {
        queue.withLock { queue in Set(contacts).flatMap { queue.suppressions[$0.value]?.values.sorted { $0.reason < $1.reason } ?? [] } }
    }

    public func suppress(_ entries: [Suppression]) async throws -> Int {
        queue.withLock { $0.suppress(entries) }
    }

    public func unsuppress(_ contact: ContactPoint, reasons: Set<SuppressionReason>?) async throws -> Int {
        queue.withLock { queue in
            guard let listed = queue.suppressions[contact.value] else { return 0 }
            let removed = listed.keys.filter { reasons?.contains($0) ?? true }
            for reason in removed { queue.suppressions[contact.value]?[reason] = nil }
            if queue.suppressions[contact.value]?.isEmpty ?? false { queue.suppressions[contact.value] = nil }
            return removed.count
        }
    }

    public func suppressionList(after: String?, limit: Int) async throws -> [Suppression] {
        queue.withLock { queue in
            let contacts = queue.suppressions.keys.filter { contact in after.map { contact > $0 } ?? true }.sorted().prefix(limit)
            return contacts.flatMap { queue.suppressions[$0]!.values.sorted { $0.reason < $1.reason } }
        }
    }
}

extension MemoryQueue {
    /// Adds the entries not yet listed (by contact point and reason). - Returns: how many were new.
    mutating func suppress(_ entries: [Suppression]) -> Int {
        var added = 0
        for entry in entries where suppressions[entry.contact.value]?[entry.reason] == nil {
            suppressions[entry.contact.value, default: [:]][entry.reason] = entry
            added += 1
        }
        return added
    }
}
