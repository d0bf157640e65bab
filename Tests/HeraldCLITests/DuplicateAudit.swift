import HeraldStore
import HeraldTestSupport

/// Which deliveries a receiver saw more than once without a reason the guarantees allow.
///
/// At-least-once allows a message to arrive twice only when it was in flight at a crash (sent, but
/// not yet recorded) or when an attempt the ledger shows as failed (a timeout, a reset connection) had
/// in fact reached the receiver before it was retried.
enum DuplicateAudit {
    /// Each unexplained duplicate with its attempt ledger, for the failure message; empty when all are explained.
    static func unexplained(received ids: [String], inFlightAtKill: Set<String>, store: any MessageStore) async throws -> [String: String] {
        let duplicates = Dictionary(grouping: ids, by: { $0 }).filter { $0.value.count > 1 }.keys
        var unexplained: [String: String] = [:]
        for id in duplicates where !inFlightAtKill.contains(id) {
            let ledger = try await store.message(id: id)?.attemptLog ?? []
            guard !ledger.contains(where: { $0.outcome == .transient }) else { continue }
            unexplained[id] = ledger.map { "\($0.channel):\($0.outcome.rawValue) \($0.error ?? "")" }.joined(separator: "; ")
        }
        return unexplained
    }

    /// The warning and error lines the workers logged, for a failure message.
    static func problems(in outcomes: [HeraldProcess.Outcome]) -> [String] {
        outcomes.flatMap { $0.stderr.split(separator: "\n").filter { $0.contains("error") || $0.contains("warning") }.map(String.init) }
    }
}
