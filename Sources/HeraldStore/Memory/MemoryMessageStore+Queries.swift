import Foundation
import HeraldCore

extension MemoryMessageStore {
    public func counts(noticeID: String?) async throws -> StateCounts {
        queue.withLock { queue in
            var counts = StateCounts()
            for entry in queue.messages where noticeID == nil || entry.message.noticeID == noticeID { counts[entry.state] += 1 }
            return counts
        }
    }

    public func message(id: String) async throws -> MessageDetail? { queue.withLock { $0.message(id)?.detail } }

    public func messages(_ filter: MessageFilter) async throws -> [MessageDetail] {
        queue.withLock { queue in
            queue.messages.reversed().lazy
                .filter { (filter.noticeID == nil || $0.message.noticeID == filter.noticeID) && (filter.state == nil || $0.state == filter.state) }
                .prefix(filter.limit).map(\.detail)
        }
    }

    public func broadcasts(limit: Int) async throws -> [BroadcastSummary] {
        queue.withLock { queue in
            let newest = queue.notices.values.filter { $0.kind == .broadcast }
                .sorted { ($0.createdAt, $0.id) > ($1.createdAt, $1.id) }.prefix(limit)
            var counts = Dictionary(uniqueKeysWithValues: newest.map { ($0.id, StateCounts()) })
            for entry in queue.messages where counts[entry.message.noticeID] != nil { counts[entry.message.noticeID]?[entry.state] += 1 }
            return newest.map { BroadcastSummary(notice: $0, counts: counts[$0.id] ?? StateCounts()) }
        }
    }

    public func failureReasons(noticeID: String, limit: Int) async throws -> [FailureReason] {
        queue.withLock { queue in
            var tally: [String: Int] = [:]
            for entry in queue.messages where entry.message.noticeID == noticeID && [.retrying, .failed, .expired].contains(entry.state) {
                if let error = entry.message.lastError { tally[error, default: 0] += 1 }
            }
            return tally.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(limit).map { FailureReason(error: $0.key, count: $0.value) }
        }
    }

    public func channelSummaries() async throws -> [ChannelSummary] {
        queue.withLock { queue in
            var summaries = ChannelSummary.Tally()
            for circuit in queue.circuits.values { summaries.circuit(of: circuit.channel, is: circuit.state.rawValue) }
            for entry in queue.messages where [.delivered, .failed, .queued, .retrying, .sending].contains(entry.state) {
                if let channel = entry.channel { summaries.count(1, of: channel, in: entry.state.rawValue) }
            }
            return summaries.sorted
        }
    }

    public func cancel(noticeID: String, reason: String, now: Date) async throws -> Int {
        queue.withLock { queue in
            var cancelled = 0
            for index in queue.messages.indices
            where queue.messages[index].message.noticeID == noticeID && [.queued, .retrying].contains(queue.messages[index].state) {
                queue.messages[index].finish(.cancelled, error: reason)
                queue.messages[index].updatedAt = now
                cancelled += 1
            }
            return cancelled
        }
    }

    public func cancel(messageID: String, reason: String, now: Date) async throws -> Bool {
        queue.withLock { queue in
            queue.withMessage(messageID) { entry in
                let abandoned = entry.state == .sending && (entry.leaseExpiresAt.map { $0 < now } ?? false)
                guard [.queued, .retrying].contains(entry.state) || abandoned else { return false }
                entry.finish(.cancelled, error: reason)
                entry.dropLease()
                entry.updatedAt = now
                return true
            } ?? false
        }
    }

    public func requeue(_ selection: RequeueSelection, expiresAt: Date, now: Date) async throws -> [String] {
        queue.withLock { queue in
            let named = selection.ids.map(Set.init)
            var requeued: [String] = []
            for index in queue.messages.indices {
                let entry = queue.messages[index]
                guard named?.contains(entry.message.id) ?? true,
                    selection.selects(state: entry.state, noticeID: entry.message.noticeID, updatedAt: entry.updatedAt)
                else { continue }
                queue.messages[index].state = .queued
                queue.messages[index].message.routeIndex = 0
                queue.messages[index].message.failures = 0
                queue.messages[index].message.channelSince = nil
                queue.messages[index].message.expiresAt = max(entry.message.expiresAt, expiresAt)
                queue.messages[index].nextAttemptAt = now
                queue.messages[index].updatedAt = now
                requeued.append(entry.message.id)
            }
            return requeued
        }
    }
}
