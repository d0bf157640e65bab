import Synchronization

/// Group commit: items submitted while a commit is running are written together by the next one,
/// so concurrent callers share one transaction — and one fsync — instead of queueing for one each.
///
/// `write` gets every waiting item and returns a result per item, in order. Submitting takes a lock,
/// not an actor hop: it runs on every single send.
public final class GroupCommit<Item: Sendable>: Sendable {
    public typealias Write = @Sendable ([Item]) async throws -> [Result<Void, any Error>]

    private struct State {
        var waiting: [(item: Item, continuation: CheckedContinuation<Void, any Error>)] = []
        var committing = false
    }

    private let write: Write
    private let state = Mutex(State())

    public init(write: @escaping Write) {
        self.write = write
    }

    /// Returns once `item` is committed; throws its own failure or the commit's.
    public func submit(_ item: Item) async throws {
        try await withCheckedThrowingContinuation { continuation in
            let startsCommitting = state.withLock { state in
                state.waiting.append((item, continuation))
                guard !state.committing else { return false }
                state.committing = true
                return true
            }
            if startsCommitting { Task { await self.commitWhileWaiting() } }
        }
    }

    private func commitWhileWaiting() async {
        while true {
            let batch = state.withLock { state in
                let batch = state.waiting
                state.waiting = []
                if batch.isEmpty { state.committing = false }
                return batch
            }
            guard !batch.isEmpty else { return }
            do {
                let results = try await write(batch.map(\.item))
                for (index, entry) in batch.enumerated() {
                    entry.continuation.resume(with: index < results.count ? results[index] : .failure(GroupCommitError.missingResult))
                }
            } catch {
                for entry in batch { entry.continuation.resume(throwing: error) }
            }
        }
    }
}

/// A group commit's writer returned fewer results than it was given items.
public enum GroupCommitError: Error { case missingResult }
