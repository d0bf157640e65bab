import Foundation
import HeraldCore

/// Stored recipients, upserted by id, grouped in segments: the audience of `--segment` and `--all` broadcasts.
public protocol RecipientDirectory: Sendable {
    /// Inserts or replaces every recipient `source` produces, by id, in one transaction: if the source
    /// throws, nothing is kept.
    /// - Returns: how many recipients were written.
    func upsertRecipients(_ source: sending some BatchSource<Recipient>, now: Date) async throws -> Int

    /// Removes the recipient with `id` and its segment memberships. - Returns: whether there was one.
    @discardableResult
    func removeRecipient(id: String) async throws -> Bool

    /// Up to `limit` recipients ordered by id, after the id `cursor` (for pagination); of one segment, or all.
    func recipients(segment: String?, after cursor: String?, limit: Int) async throws -> [Recipient]

    /// How many recipients a segment (or the whole directory) has.
    func recipientCount(segment: String?) async throws -> Int

    /// A segment (or everyone) read a page per batch, so a broadcast can stream it into `enqueue`
    /// without holding the audience in memory. Pages are read with the backend's own async queries
    /// while `enqueue` holds its transaction.
    func recipientStream(segment: String?) throws -> any BatchSource<AudienceEntry>
}
