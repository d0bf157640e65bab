import HeraldCore

/// Items produced a batch at a time and pulled by whoever consumes them: a store writing a broadcast's
/// messages in one transaction, a directory upserting an audience, a dry run rendering it.
///
/// `nextBatch` is async so that no consumer has to block for a producer: a producer that reads a file
/// does so on the blocking thread pool (`BlockingWork`), one that reads a database awaits its query.
/// Throwing aborts the consumer's whole operation, so a broadcast is queued whole or not at all.
public protocol BatchSource<Element>: AnyObject {
    associatedtype Element

    /// The next batch of at least one and at most `limit` items, or `nil` when there are no more.
    func nextBatch(limit: Int) async throws -> [Element]?
}

/// A `BatchSource` over items already in memory (single sends, inline API recipients, tests).
public final class ArrayBatchSource<Element>: BatchSource {
    private var remaining: ArraySlice<Element>

    public init(_ items: [Element]) { remaining = items[...] }

    public func nextBatch(limit: Int) async throws -> [Element]? {
        guard !remaining.isEmpty else { return nil }
        defer { remaining = remaining.dropFirst(limit) }
        return Array(remaining.prefix(limit))
    }
}

/// One row of an audience: the recipient read from `line` (the file's line, or the row's position in
/// a stored segment), or why that row cannot be used. A bad row is an entry rather than a thrown error
/// so the consumer can go on and report every bad row at once.
public struct AudienceEntry: Sendable {
    public var line: Int
    public var recipient: Result<Recipient, AudienceError>

    public init(line: Int, recipient: Result<Recipient, AudienceError>) {
        self.line = line
        self.recipient = recipient
    }
}
