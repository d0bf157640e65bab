import Foundation
import HeraldCore
import HeraldStore

/// A broadcast's messages: one per row of its audience (a file, or stored recipients) that passes the
/// gate, screened against the suppression list. A bad row makes the last batch throw, which aborts the
/// store's transaction: the broadcast is queued whole or not at all.
final class AudienceMessageSource: BatchSource {
    private let rows: CheckedAudience
    private let consent: ConsentScreen
    private var identifiers: IdentifierSequence

    init(_ audience: sending any BatchSource<AudienceEntry>, gate: RecipientGate, consent: ConsentScreen, label: String, now: Date) {
        self.rows = CheckedAudience(audience) { recipient, line in try gate.check(recipient, file: label, line: line) }
        self.consent = consent
        self.identifiers = IdentifierSequence(prefix: "msg", at: now)
    }

    func nextBatch(limit: Int) async throws -> [NewMessage]? {
        guard let batch = try await rows.nextBatch(limit: limit, { recipient, _ in NewMessage(id: identifiers.next(), recipient: recipient) })
        else { return nil }
        return try await consent.screen(batch)
    }
}
