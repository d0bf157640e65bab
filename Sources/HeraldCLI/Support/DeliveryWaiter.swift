import ArgumentParser
import Foundation
import HeraldCore
import HeraldDispatch
import HeraldStore

/// What a command queued and how `--wait` follows it: a notice's messages, or named messages (a
/// retry, of one broadcast or of several).
enum WaitScope {
    case notice(id: String)
    case messages([String], broadcast: String?)
}

/// `--wait`: delivers in this process until every message in scope is final, showing progress — a
/// bar on a terminal, plain lines otherwise — with the commonest failure reasons as they change, then
/// a summary and the command that shows what failed.
struct DeliveryWaiter {
    let runtime: HeraldRuntime
    let store: any MessageStore

    /// Prints the id at once (so an interrupted wait still leaves it with the operator); with `wait`,
    /// delivers until every message is final, else says that nothing has gone out yet.
    /// - Throws: exit status 2 when `--wait` ends with messages that were not delivered.
    func conclude(_ receipt: NoticeIntake.Receipt, wait: Bool) async throws {
        // Written straight to the descriptor, not through stdout's buffer: into a pipe or a file that
        // buffer is only flushed at exit, and an interrupted wait must still leave the operator the id.
        FileHandle.standardOutput.write(Data("\(receipt.id)\n".utf8))
        let suppressed = receipt.suppressed > 0 ? " (\(receipt.suppressed) already suppressed: on the suppression list)" : ""
        try await follow(.notice(id: receipt.noticeID), queued: "\(receipt.total) message\(receipt.total == 1 ? "" : "s")\(suppressed)", wait: wait)
    }

    /// Without `wait`, says on standard error what was queued and how it will go out; with it, delivers
    /// until every message in `scope` is final.
    /// - Throws: exit status 2 when `--wait` ends with messages that were not delivered.
    func follow(_ scope: WaitScope, queued: String, wait: Bool) async throws {
        guard wait else {
            Self.note("queued \(queued); a worker delivers them (herald serve or herald work), or add --wait to deliver them now")
            return
        }
        let counts = try await runtime.withChannels { channels in
            let worker = runtime.makeWorker(store: store, channels: channels, logger: runtime.options.logger("herald.wait"))
            return try await deliver(scope, worker: worker, isTerminal: isatty(STDERR_FILENO) == 1)
        }
        Self.note(Self.summary(counts, scope: scope))
        // A suppressed message went where consent let it: nowhere. That is the right outcome, not a failure.
        if counts[.delivered] + counts[.suppressed] != counts.total { throw HeraldExit.undelivered }
    }

    /// The closing line: what was delivered, what was not, and where to look.
    static func summary(_ counts: StateCounts, scope: WaitScope) -> String {
        guard counts[.delivered] != counts.total else { return "delivered \(counts.total)/\(counts.total)" }
        if counts[.delivered] + counts[.suppressed] == counts.total {
            return "delivered \(counts[.delivered])/\(counts.total); suppressed \(counts[.suppressed]) (on the suppression list, not sent)"
        }
        let missed = MessageState.allCases.filter { $0 != .delivered && counts[$0] > 0 }
        // Where to look: the commonest state that is not delivered.
        let state = missed.max { counts[$0] < counts[$1] }.map { " --state \($0.rawValue)" } ?? ""
        let look: String =
            switch scope {
            case .notice(let id), .messages(_, broadcast: let id?): "herald messages --broadcast \(id)\(state)"
            case .messages: "herald messages\(state)"
            }
        let tally = missed.map { "\($0.rawValue) \(counts[$0])" }.joined(separator: ", ")
        return "delivered \(counts[.delivered])/\(counts.total); \(tally). See why: \(look)"
    }

    static func note(_ line: String) {
        FileHandle.standardError.write(Data("\(line)\n".utf8))
    }

    /// Runs the worker beside a progress poller; once every message is final the worker is asked to
    /// stop, finishes and records whatever else it had in flight, and returns.
    private func deliver(_ scope: WaitScope, worker: DeliveryWorker, isTerminal: Bool) async throws -> StateCounts {
        try await withThrowingTaskGroup(of: StateCounts?.self) { group in
            group.addTask {
                while !worker.isStopping {
                    if try await worker.drain() == 0, !worker.isStopping { try await runtime.clock.sleep(for: .milliseconds(100)) }
                }
                return nil
            }
            group.addTask {
                var reporter = ProgressReporter(isTerminal: isTerminal)
                var progress = ScopeProgress(scope: scope)
                while true {
                    let counts = try await progress.counts(in: store)
                    reporter.show(counts)
                    if case .notice(let id) = scope, counts[.retrying] + counts[.failed] + counts[.expired] > 0 {
                        reporter.show(try await store.failureReasons(noticeID: id, limit: 3))
                    }
                    if counts.isFinished {
                        reporter.finish()
                        worker.stop()
                        return counts
                    }
                    try await runtime.clock.sleep(for: .milliseconds(250))
                }
            }
            var final = StateCounts()
            while let result = try await group.next() {
                if let counts = result { final = counts }
            }
            return final
        }
    }
}

/// Counts of the messages a wait follows. Named messages are looked up one by one, and each is not
/// asked about again once it is final.
struct ScopeProgress {
    let scope: WaitScope
    private var final: [String: MessageState] = [:]

    init(scope: WaitScope) { self.scope = scope }

    mutating func counts(in store: any MessageStore) async throws -> StateCounts {
        switch scope {
        case .notice(let id):
            return try await store.counts(noticeID: id)
        case .messages(let ids, _):
            var counts = StateCounts()
            for id in ids {
                let state: MessageState
                if let known = final[id] {
                    state = known
                } else {
                    guard let current = try await store.state(ofMessage: id) else { continue }
                    state = current
                    if state.isFinal { final[id] = state }
                }
                counts[state] += 1
            }
            return counts
        }
    }
}

/// Prints delivery progress to standard error: a redrawn bar on a terminal, else a line whenever the
/// counts change; and the commonest failure reasons whenever they change.
struct ProgressReporter {
    let isTerminal: Bool
    private var last: StateCounts?
    private var lastReasons: [FailureReason] = []

    init(isTerminal: Bool) { self.isTerminal = isTerminal }

    mutating func show(_ counts: StateCounts) {
        if !isTerminal && counts == last { return }
        last = counts
        let line = isTerminal ? "\r\(bar(counts)) \(summary(counts))\u{1B}[K" : "\(summary(counts))\n"
        FileHandle.standardError.write(Data(line.utf8))
    }

    /// Shows the reasons when they differ from the last ones shown (counts aside).
    mutating func show(_ reasons: [FailureReason]) {
        guard reasons.map(\.error) != lastReasons.map(\.error), !reasons.isEmpty else { return }
        lastReasons = reasons
        let lines = reasons.map { "  \($0.count) × \($0.error)" }.joined(separator: "\n")
        FileHandle.standardError.write(Data(((isTerminal ? "\n" : "") + "not delivered yet, commonest reasons:\n\(lines)\n").utf8))
    }

    func finish() {
        if isTerminal { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    func summary(_ counts: StateCounts) -> String {
        let states = MessageState.allCases.filter { counts[$0] > 0 }.map { "\($0.rawValue) \(counts[$0])" }
        return "\(counts.finished)/\(counts.total) final: " + states.joined(separator: ", ")
    }

    private func bar(_ counts: StateCounts) -> String {
        let width = 30
        let filled = counts.total == 0 ? width : counts.finished * width / counts.total
        return "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "]"
    }
}
