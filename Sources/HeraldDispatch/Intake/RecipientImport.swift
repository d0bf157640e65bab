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
    ///   - format: by default `.jsonl`/`.ndjson` files are JSON Lines, others CSV.
    /// - Returns: how many recipients were written.
    /// - Throws: `IntakeError.audience` naming the file, line and field of a bad row, or `.rows` for several.
    public func importFile(_ path: String, segment: String? = nil, format: AudienceReader.Format? = nil) async throws -> Int {
        let source = AudienceRecipientSource(AudienceFileSource(path: path, format: format), segment: segment)
        return try await store.upsertRecipients(source, now: clock.now())
    }
}

/// Feeds an audience's rows to the directory in batches, adding an extra segment.
final class AudienceRecipientSource: BatchSource {
    private let rows: CheckedAudience
    private let segment: String?

    init(_ audience: sending any BatchSource<AudienceEntry>, segment: String?) {
        self.rows = CheckedAudience(audience)
        self.segment = segment
    }

    func nextBatch(limit: Int) async throws -> [Recipient]? {
        try await rows.nextBatch(limit: limit) { [segment] recipient, _ in
            var recipient = recipient
            if let segment, !recipient.segments.contains(segment) { recipient.segments.append(segment) }
            return recipient
        }
    }
}
