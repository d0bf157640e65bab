import Foundation
import HeraldCore
import HeraldStore

/// Streams an audience (a file, or stored recipients) into messages for the store, checking every row
/// through the gate. Bad rows are collected (up to `RowProblems.limit`) and thrown at the end, which
/// aborts the store's transaction: the broadcast is queued whole or not at all.
final class AudienceMessageSource: MessageSource {
    private var reader: any RecipientStream
    private let gate: RecipientGate
    private let file: String
    private var identifiers: IdentifierSequence
    private var problems = RowProblems()

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
            guard let row = try problems.row({ try reader.next() }) else { continue }
            guard let (line, recipient) = row else {
                try problems.finish()
                break
            }
            guard try problems.row({ try gate.check(recipient, file: file, line: line) }) != nil else { continue }
            batch.append(NewMessage(id: identifiers.next(), recipient: recipient))
        }
        return batch.isEmpty ? nil : batch
    }
}
