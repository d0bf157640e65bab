import Foundation
import HeraldCore

extension MemoryMessageStore {
    public func claim(owner: String, limit: Int, now: Date, lease: Duration) async throws -> [QueuedMessage] {
        // Every other backend's claim is a round trip, during which other workers claim too; without
        // this suspension one worker's loop would drain the queue before the others ever ran.
        await Task.yield()
        return queue.withLock { queue in
            for index in queue.messages.indices {
                let entry = queue.messages[index]
                guard entry.state == .sending, let expiry = entry.leaseExpiresAt, expiry <= now, entry.leaseOwner != owner else { continue }
                queue.messages[index].handBack(now: now)
            }
            let due = queue.messages.indices.filter { index in
                let entry = queue.messages[index]
                return (entry.state == .queued || entry.state == .retrying) && entry.nextAttemptAt <= now
            }
            let chosen = due.sorted { (queue.messages[$0].priority, $0) > (queue.messages[$1].priority, $1) }.prefix(limit)
            return chosen.map { index in
                queue.messages[index].state = .sending
                queue.messages[index].leaseOwner = owner
                queue.messages[index].leaseExpiresAt = now + lease.timeInterval
                queue.messages[index].updatedAt = now
                return queue.messages[index].message
            }
        }
    }

    public func record(_ results: [DeliveryResult], owner: String, now: Date) async throws {
        queue.withLock { queue in
            var delivering: Set<String> = []
            for result in results {
                _ = queue.suppress(result.learned)
                queue.withMessage(result.messageID) { entry in
                    // A lease lost to another worker means this result is stale.
                    guard entry.state == .sending, entry.leaseOwner == owner else { return }
                    let tried = result.attempts.filter { $0.outcome != .skipped }
                    if let channel = tried.last?.channel { entry.channel = channel }
                    entry.message.attempts += tried.count
                    entry.dropLease()
                    entry.updatedAt = now
                    entry.attemptLog += result.attempts
                    switch result.transition {
                    case .delivered(let channel):
                        entry.state = .delivered
                        entry.message.lastError = nil
                        delivering.insert(channel)
                    case .failed(let error): entry.finish(.failed, error: error)
                    case .expired(let error): entry.finish(.expired, error: error)
                    case .dropped(let state, let reason): entry.finish(state, error: reason)
                    case .retry(let at, let routeIndex, let failures, let since, let error):
                        entry.finish(.retrying, error: error)
                        entry.nextAttemptAt = at
                        entry.message.routeIndex = routeIndex
                        entry.message.failures = failures
                        entry.message.channelSince = since
                    }
                }
            }
            for channel in delivering where queue.circuits[channel].map({ $0.state != .closed }) ?? false {
                queue.circuits[channel] = CircuitRecord(channel: channel, state: .closed, consecutiveFailures: 0, changedAt: now)
            }
        }
    }

    public func nextLeaseExpiry(notOwnedBy owner: String) async throws -> Date? {
        queue.withLock { queue in
            queue.messages.lazy.filter { $0.state == .sending && $0.leaseOwner != owner }.compactMap(\.leaseExpiresAt).min()
        }
    }

    public func releaseLeases(owner: String, now: Date) async throws {
        queue.withLock { queue in
            for index in queue.messages.indices where queue.messages[index].state == .sending && queue.messages[index].leaseOwner == owner {
                queue.messages[index].handBack(now: now)
            }
        }
    }

    public func renewLeases(owner: String, now: Date, lease: Duration) async throws {
        queue.withLock { queue in
            for index in queue.messages.indices where queue.messages[index].state == .sending && queue.messages[index].leaseOwner == owner {
                queue.messages[index].leaseExpiresAt = now + lease.timeInterval
            }
        }
    }

    public func notice(id: String) async throws -> Notice? { queue.withLock { $0.notices[id] } }

    public func state(ofMessage id: String) async throws -> MessageState? { queue.withLock { $0.message(id)?.state } }

    public func saveCircuit(_ circuit: CircuitRecord) async throws { queue.withLock { $0.circuits[circuit.channel] = circuit } }

    public func circuits() async throws -> [CircuitRecord] { queue.withLock { Array($0.circuits.values) } }

    public func wakeRetrying(channel: String, now: Date) async throws -> Int {
        queue.withLock { queue in
            var woken = 0
            for index in queue.messages.indices
            where queue.messages[index].state == .retrying && queue.messages[index].channel == channel && queue.messages[index].nextAttemptAt > now {
                queue.messages[index].nextAttemptAt = now
                woken += 1
            }
            return woken
        }
    }

    public func leaseSlots(channel: String, count: Int, interval: TimeInterval, now: Date) async throws -> Date {
        queue.withLock { queue in
            let first = max(queue.rateSlots[channel] ?? now, now)
            queue.rateSlots[channel] = first + interval * Double(count)
            return first
        }
    }

    public func claimProbe(channel: String, now: Date, cooldown: Duration) async throws -> Bool {
        queue.withLock { queue in
            guard let stored = queue.circuits[channel], stored.state != .closed, stored.changedAt <= now - cooldown.timeInterval else { return false }
            queue.circuits[channel] = CircuitRecord(channel: channel, state: .halfOpen, consecutiveFailures: stored.consecutiveFailures, changedAt: now)
            return true
        }
    }
}

extension MemoryMessage {
    /// A lease ends undelivered (its worker died, or gave it back): the message is claimable again.
    mutating func handBack(now: Date) {
        state = message.attempts == 0 ? .queued : .retrying
        dropLease()
        updatedAt = now
    }

    /// Moves to `state` with `error` as the last error.
    mutating func finish(_ state: MessageState, error: String) {
        self.state = state
        message.lastError = error
    }
}
