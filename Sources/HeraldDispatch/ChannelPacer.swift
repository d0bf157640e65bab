import Foundation
import HeraldCore
import Synchronization

/// The `rate` limits of the channels that have one, shared by every worker of the process.
final class ChannelPacer: Sendable {
    private let buckets: Mutex<[String: TokenBucket]>

    init(settings: [ChannelSettings]) {
        buckets = Mutex(Dictionary(uniqueKeysWithValues: settings.compactMap { channel in channel.rate.map { (channel.name, TokenBucket(rate: $0)) } }))
    }

    /// When the next delivery on `channel` may start (`now` for channels without a rate).
    func reserve(_ channel: String, now: Date) -> Date {
        buckets.withLock { buckets in
            guard var bucket = buckets[channel] else { return now }
            let slot = bucket.reserve(now: now)
            buckets[channel] = bucket
            return slot
        }
    }
}
