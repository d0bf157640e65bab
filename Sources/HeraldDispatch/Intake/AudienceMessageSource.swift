import Foundation
import HeraldCore
import HeraldStore

/// Streams an audience (a file, or stored recipients) into messages for the store, checking every row
/// through the gate. A bad row throws, which aborts the store's transaction: the broadcast is queued
/// whole or not at all.
final class AudienceMessageSource: MessageSource {
    private var reader: any RecipientStream
    private let gate: RecipientGate
    private let file: String
    private var identifiers: IdentifierSequence

    init(reader: sending any RecipientStream, gate: RecipientGate, file: String, now: Date) {
        self.reader = reader
        self.gate = gate
        self.file = file
        self.identifiers = IdentifierSequence(prefix: "msg", at: now)
    }

    func nextBatch(limit: Int) throws -> [NewMessage]? {
        var batch: [NewMessage] = []
        batch.reserveCapacity(limit)
        while batch.count < limit {
            guard let (line, recipient) = try readNext() else { break }
            try gate.check(recipient, file: file, line: line)
            batch.append(NewMessage(id: identifiers.next(), recipient: recipient))
        }
        return batch.isEmpty ? nil : batch
    }

    private func readNext() throws -> (line: Int, recipient: Recipient)? {
        do {
            return try reader.next()
        } catch let error as AudienceError {
            throw IntakeError.audience(error)
        }
    }
}
