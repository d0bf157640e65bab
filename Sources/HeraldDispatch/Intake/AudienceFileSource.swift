import HeraldCore
import HeraldStore

/// An audience file (CSV or JSON Lines) read a batch of rows at a time on the blocking thread pool
/// (`BlockingWork`), never on the event loop or task that pulls it. The file is opened by the first
/// batch, so opening a slow file (a pipe, a network mount) does not block either. While the consumer
/// works on a batch (a store writing it), the next one is already being read and checked.
///
/// A bad row is an entry with its `AudienceError`; a file that cannot be opened or read any further
/// throws `IntakeError.audience`.
final class AudienceFileSource: BatchSource, @unchecked Sendable {
    // Unchecked: a source is pulled by one consumer, each batch awaited before the next is asked for;
    // only `read` touches the reader, and a read starts only after the one before it was awaited, so
    // the reader is never touched by two threads at once.
    private let path: String
    private let format: AudienceReader.Format?
    private var reader: AudienceReader?
    /// The next batch, being read while the consumer works on the last one.
    private var ahead: Task<[AudienceEntry]?, any Error>?
    /// Rows read but not handed out yet (when a consumer asks for fewer than were read).
    private var pending: ArraySlice<AudienceEntry> = []
    private var exhausted = false

    init(path: String, format: AudienceReader.Format?) {
        self.path = path
        self.format = format
    }

    func nextBatch(limit: Int) async throws -> [AudienceEntry]? {
        if pending.isEmpty, !exhausted {
            let read = try await (ahead ?? readAhead(limit: limit)).value
            ahead = nil
            if let read { pending = read[...] } else { exhausted = true }
        }
        guard !pending.isEmpty else { return nil }
        let batch = Array(pending.prefix(limit))
        pending = pending.dropFirst(limit)
        // One read at a time: the next starts only once this one was taken.
        if pending.isEmpty, !exhausted { ahead = readAhead(limit: limit) }
        return batch
    }

    private func readAhead(limit: Int) -> Task<[AudienceEntry]?, any Error> {
        Task { try await BlockingWork.run { try self.read(limit: limit) } }
    }

    private func read(limit: Int) throws -> [AudienceEntry]? {
        // Taken out while it reads: a second reference would make every batch copy its buffers and
        // the ids it has seen (a dictionary as large as the file) before changing them.
        var reader: AudienceReader
        if let opened = self.reader.take() {
            reader = opened
        } else {
            do { reader = try AudienceReader(path: path, format: format) } catch { throw IntakeError.audience(error) }
        }
        defer { self.reader = reader }
        var batch: [AudienceEntry] = []
        batch.reserveCapacity(min(limit, 4096))
        while batch.count < limit {
            do throws(AudienceError) {
                guard let (line, recipient) = try reader.next() else { break }
                batch.append(AudienceEntry(line: line, recipient: .success(recipient)))
            } catch {
                // Line 0: the file itself cannot be read any further.
                guard error.line > 0 else { throw IntakeError.audience(error) }
                batch.append(AudienceEntry(line: error.line, recipient: .failure(error)))
            }
        }
        return batch.isEmpty ? nil : batch
    }
}
