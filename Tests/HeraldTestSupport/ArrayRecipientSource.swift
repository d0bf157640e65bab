import HeraldCore
import HeraldStore

/// Recipients already in memory, for `upsertRecipients`, handed out in batches of the size asked for.
public final class ArrayRecipientSource: RecipientSource {
    private var remaining: ArraySlice<Recipient>

    public init(_ recipients: [Recipient]) { remaining = recipients[...] }

    public func nextBatch(limit: Int) throws -> [Recipient]? {
        guard !remaining.isEmpty else { return nil }
        defer { remaining = remaining.dropFirst(limit) }
        return Array(remaining.prefix(limit))
    }
}
