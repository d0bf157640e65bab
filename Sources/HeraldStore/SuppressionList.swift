import Foundation
import HeraldCore

/// Reading the suppression list: what accepts and workers consult before a message is queued and
/// again just before it is sent.
public protocol SuppressionLookup: Sendable {
    /// Every stored suppression of these contact points (each with all its reasons).
    func suppressions(of contacts: [ContactPoint]) async throws -> [Suppression]

    /// The suppressions of at most `limit` contact points (every reason of each), in contact-point order,
    /// starting after the contact point `after`.
    func suppressionList(after: String?, limit: Int) async throws -> [Suppression]
}

/// The suppression list: contact points Herald never sends to again, each with a reason, a source and
/// a time. One row per contact point and reason; adding one that exists keeps the first.
public protocol SuppressionList: SuppressionLookup {
    /// Adds suppressions; those already listed (same contact point and reason) are kept as they were.
    /// - Returns: how many were new.
    @discardableResult
    func suppress(_ entries: [Suppression]) async throws -> Int

    /// Lifts a contact point's suppressions: every reason, or only `reasons`.
    /// - Returns: how many were removed.
    @discardableResult
    func unsuppress(_ contact: ContactPoint, reasons: Set<SuppressionReason>?) async throws -> Int
}

extension SuppressionLookup {
    /// What the list says about `contacts` for notices of `category`.
    public func consent(for contacts: [ContactPoint], category: String) async throws -> Consent {
        guard !contacts.isEmpty else { return Consent(category: category) }
        return Consent(category: category, suppressions: try await suppressions(of: contacts))
    }
}
