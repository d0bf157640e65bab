import Dispatch
import HeraldStore

/// Pulls an async `BatchSource` from inside a SQLite transaction.
///
/// GRDB runs a transaction's closure on its writer's own dispatch queue, and the closure cannot await,
/// so each batch is produced by a task while the writer thread waits for it. The waiting thread is
/// GRDB's, never an event loop or one of Swift's pool, and what it waits for never needs the writer (an
/// audience file is read on the blocking pool, a segment through a read-only connection of its own), so
/// the wait cannot deadlock. One wait per batch of thousands of rows.
final class WriterPull<Element: Sendable>: @unchecked Sendable {
    // Unchecked: the source is used by one pull at a time, each awaited before the next begins.
    private let source: any BatchSource<Element>

    init(_ source: sending some BatchSource<Element>) { self.source = source }

    /// The next batch of at most `limit` elements, or `nil` when done; blocks the calling thread.
    func next(limit: Int) throws -> [Element]? {
        let produced = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: Result<[Element]?, any Error>?
        Task { [self] in
            do { result = .success(try await source.nextBatch(limit: limit)) } catch { result = .failure(error) }
            produced.signal()
        }
        produced.wait()
        return try result!.get()
    }
}
