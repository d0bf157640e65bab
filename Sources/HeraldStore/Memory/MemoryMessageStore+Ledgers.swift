import Foundation
import HeraldCore

/// A remembered `Idempotency-Key`: the body it came with and, once answered, the response.
struct MemoryIdempotencyEntry {
    var fingerprint: String
    var createdAt: Date
    var response: StoredResponse?
}

extension MemoryMessageStore {
    public func upsertRecipients(_ source: sending some BatchSource<Recipient>, now: Date) async throws -> Int {
        var staged: [Recipient] = []
        while let batch = try await source.nextBatch(limit: Self.batchSize) { staged += batch }
        queue.withLock { queue in
            for recipient in staged { queue.recipients[recipient.id] = recipient }
        }
        return staged.count
    }

    public func removeRecipient(id: String) async throws -> Bool {
        queue.withLock { $0.recipients.removeValue(forKey: id) != nil }
    }

    public func recipients(segment: String?, after cursor: String?, limit: Int) async throws -> [Recipient] {
        queue.withLock { $0.recipientPage(segment: segment, after: cursor, limit: limit) }
    }

    public func recipientCount(segment: String?) async throws -> Int {
        queue.withLock { queue in
            guard let segment else { return queue.recipients.count }
            return queue.recipients.values.count { $0.segments.contains(segment) }
        }
    }

    public func recipientStream(segment: String?) throws -> any BatchSource<AudienceEntry> {
        PagedRecipients { [self] after, limit in self.queue.withLock { $0.recipientPage(segment: segment, after: after, limit: limit) } }
    }

    public func claimIdempotencyKey(_ key: String, fingerprint: String, now: Date, window: Duration) async throws -> IdempotencyClaim {
        queue.withLock { queue in
            if let entry = queue.idempotencyKeys[key], entry.createdAt >= now - window.timeInterval {
                guard entry.fingerprint == fingerprint else { return .mismatch }
                return entry.response.map(IdempotencyClaim.replay) ?? .inProgress
            }
            queue.idempotencyKeys[key] = MemoryIdempotencyEntry(fingerprint: fingerprint, createdAt: now)
            return .claimed
        }
    }

    public func completeIdempotencyKey(_ key: String, response: StoredResponse) async throws {
        queue.withLock { $0.idempotencyKeys[key]?.response = response }
    }

    public func releaseIdempotencyKey(_ key: String) async throws {
        queue.withLock { queue in
            if queue.idempotencyKeys[key]?.response == nil { queue.idempotencyKeys[key] = nil }
        }
    }

    public func saveNewIncident(_ incident: Incident) async throws {
        try queue.withLock { queue in
            guard queue.incidents[incident.id] == nil else { throw MemoryStoreError(description: "incident \(incident.id) exists") }
            queue.incidents[incident.id] = incident
        }
    }

    public func changeIncident(id: String, _ change: @Sendable (inout Incident) throws -> Void) async throws -> Incident? {
        try queue.withLock { queue in
            guard var incident = queue.incidents[id] else { return nil }
            try change(&incident)
            queue.incidents[id] = incident
            return incident
        }
    }

    public func incident(id: String) async throws -> Incident? { queue.withLock { $0.incidents[id] } }

    public func incidents(openOnly: Bool) async throws -> [Incident] {
        queue.withLock { queue in
            queue.incidents.values.filter { !openOnly || $0.state == .open }.sorted { ($0.openedAt, $0.id) > ($1.openedAt, $1.id) }
        }
    }

    public func claimDigestSlot(_ digest: String, slot: Date) async throws -> Bool {
        queue.withLock { queue in
            if let last = queue.digestSlots[digest], last >= slot { return false }
            queue.digestSlots[digest] = slot
            return true
        }
    }

    public func lastDigestSlot(_ digest: String) async throws -> Date? { queue.withLock { $0.digestSlots[digest] } }

    public func recordCanary(_ result: CanaryResult) async throws {
        queue.withLock { queue in
            if queue.canaries[result.channel].map({ $0.at <= result.at }) ?? true { queue.canaries[result.channel] = result }
        }
    }

    public func canaryResults() async throws -> [CanaryResult] {
        queue.withLock { $0.canaries.values.sorted { $0.channel < $1.channel } }
    }

    public func saveDrill(_ report: DrillReport) async throws { queue.withLock { $0.drills.append(report) } }

    public func lastDrill() async throws -> DrillReport? { queue.withLock { $0.drills.last } }
}

extension MemoryQueue {
    /// Up to `limit` recipients after `cursor` in id order, of one segment or all.
    func recipientPage(segment: String?, after cursor: String?, limit: Int) -> [Recipient] {
        let cursor = cursor ?? ""
        return Array(
            recipients.values.filter { $0.id > cursor && (segment.map($0.segments.contains) ?? true) }.sorted { $0.id < $1.id }.prefix(limit)
        )
    }
}
