/// Group commit: items submitted while a commit is running are written together by the next one,
/// so concurrent callers share one transaction — and one fsync — instead of queueing for one each.
///
/// `write` gets every waiting item and returns a result per item, in order.
public actor GroupCommit<Item: Sendable> {
    public typealias Write = @Sendable ([Item]) async throws -> [Result<Void, any Error>]

    private let write: Write
    private var waiting: [(item: Item, continuation: CheckedContinuation<Void, any Error>)] = []
    private var committing = false

    public init(write: @escaping Write) {
        self.write = write
    }

    /// Returns once `item` is committed; throws its own failure or the commit's.
    public func submit(_ item: Item) async throws {
        try await withCheckedThrowingContinuation { continuation in
            waiting.append((item, continuation))
            if !committing {
                committing = true
                Task { await self.commitWhileWaiting() }
            }
        }
    }

    private func commitWhileWaiting() async {
        while !waiting.isEmpty {
            let batch = waiting
            waiting = []
            do {
                let results = try await write(batch.map(\.item))
                for (index, entry) in batch.enumerated() {
                    entry.continuation.resume(with: index < results.count ? results[index] : .failure(GroupCommitError.missingResult))
                }
            } catch {
                for entry in batch { entry.continuation.resume(throwing: error) }
            }
        }
        committing = false
    }
}

/// A group commit's writer returned fewer results than it was given items.
public enum GroupCommitError: Error { case missingResult }
