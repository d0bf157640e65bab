import Foundation

/// The last schedule slot each digest ran for, so a restart (or a second node) never runs a slot twice.
public protocol DigestLedger: Sendable {
    /// Records `slot` for `digest` if it is later than the one recorded; returns whether it was.
    /// Only the caller that gets `true` sends the digest.
    func claimDigestSlot(_ digest: String, slot: Date) async throws -> Bool

    /// The last slot recorded for `digest`.
    func lastDigestSlot(_ digest: String) async throws -> Date?
}
