import HeraldCore
import HeraldStore

/// The rows of an audience that pass their checks, a batch at a time, for whatever consumes a whole
/// audience: a broadcast's messages, an import, a dry run. Bad rows (unreadable, or refused by
/// `check`) are collected and thrown together once the audience is read (`RowProblems`), so one run
/// reports up to `RowProblems.limit` of them and the consumer's transaction keeps nothing.
final class CheckedAudience {
    private let audience: any BatchSource<AudienceEntry>
    private let check: (_ recipient: Recipient, _ line: Int) throws -> Void
    private var problems = RowProblems()
    private var exhausted = false

    /// - Parameter check: throws an `IntakeError` about one row to refuse it.
    init(_ audience: sending any BatchSource<AudienceEntry>, check: @escaping (_ recipient: Recipient, _ line: Int) throws -> Void = { _, _ in }) {
        self.audience = audience
        self.check = check
    }

    /// What `make` turns the next rows that passed into, at most `limit`, or `nil` at the end.
    /// - Throws: the bad rows, once the audience has been read; at once when `RowProblems.limit`
    ///   were found, or for a problem that is not about one row.
    func nextBatch<Element>(limit: Int, _ make: (_ recipient: Recipient, _ line: Int) -> Element) async throws -> [Element]? {
        while !exhausted {
            guard let entries = try await audience.nextBatch(limit: limit) else {
                exhausted = true
                try problems.finish()
                return nil
            }
            var passed: [Element] = []
            passed.reserveCapacity(entries.count)
            for entry in entries {
                switch entry.recipient {
                case .failure(let error):
                    try problems.keep(.audience(error))
                case .success(let recipient):
                    guard try problems.row({ try check(recipient, entry.line) }) != nil else { continue }
                    passed.append(make(recipient, entry.line))
                }
            }
            if !passed.isEmpty { return passed }
        }
        return nil
    }
}
