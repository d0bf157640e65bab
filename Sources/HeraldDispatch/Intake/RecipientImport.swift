import Foundation
import HeraldCore
import HeraldStore

/// Upserts an audience file (CSV or JSON Lines) into the recipient directory, streaming it and checking
/// every row; a bad row names its line and field, and nothing is imported.
public struct RecipientImport: Sendable {
    let store: any RecipientDirectory
    let clock: any WallClock

    public init(store: any RecipientDirectory, clock: any WallClock) {
        self.store = store
        self.clock = clock
    }

    /// - Parameters:
    ///   - segment: added to every row's segments.
    /// - Returns: how many recipients were written.
    /// - Throws: `IntakeError.audience` naming the file, line and field of a bad row, or `.rows` for several.
    ///   - format: by default `.jsonl`/`.ndjson` files are JSON Lines, others CSV.
    public func importFile(_ path: String, segment: String? = nil, format: AudienceReader.Format? = nil) async throws -> Int {
        let reader: AudienceReader
        do { reader = try AudienceReader(path: path, format: format) } catch { throw IntakeError.audience(error) }
        return try await store.upsertRecipients(AudienceRecipientSource(reader: reader, segment: segment), now: clock.now())
    }
}

/// Feeds audience rows to the store in batches, adding an extra segment.
final class AudienceRecipientSource: RecipientSource {
    private var reader: AudienceReader
    private let segment: String?
    private var problems = RowProblems()

    init(reader: sending AudienceReader, segment: String?) {
        self.reader = reader
        self.segment = segment
    }

    func nextBatch(limit: Int) throws -> [Recipient]? {
        var batch: [Recipient] = []
        while batch.count < limit {
            guard let row = try problems.row({ try reader.next() }) else { continue }
            guard var recipient = row?.recipient else {
                try problems.finish()
                break
            }
            if let segment, !recipient.segments.contains(segment) { recipient.segments.append(segment) }
            batch.append(recipient)
        }
        return batch.isEmpty ? nil : batch
    }
}
