import ArgumentParser
import Foundation
import HeraldCore
import HeraldDispatch
import HeraldStore

/// `--wait`: delivers in this process until every message of a notice is final, showing progress —
/// a bar on a terminal, plain lines otherwise — and says whether all were delivered.
struct DeliveryWaiter {
    let runtime: HeraldRuntime
    let store: any MessageStore

    /// Prints what was queued; with `--wait`, delivers until every message is final and exits non-zero
    /// unless all were delivered.
    func conclude(_ receipt: NoticeIntake.Receipt, wait: Bool) async throws {
        print(receipt.id)
        guard wait else { return }
        let counts = try await self.wait(for: receipt.noticeID)
        if counts[.delivered] != counts.total { throw ExitCode(1) }
    }

    /// - Returns: the final counts.
    func wait(for noticeID: String) async throws -> StateCounts {
        try await runtime.withChannels { channels in
            let worker = runtime.makeWorker(store: store, channels: channels, logger: HeraldRuntime.logger("herald.wait"))
            return try await deliver(noticeID: noticeID, worker: worker, isTerminal: isatty(STDERR_FILENO) == 1)
        }
    }

    /// Runs the worker beside a progress poller; once every message is final the worker is asked to
    /// stop, finishes and records whatever else it had in flight, and returns.
    private func deliver(noticeID: String, worker: DeliveryWorker, isTerminal: Bool) async throws -> StateCounts {
        try await withThrowingTaskGroup(of: StateCounts?.self) { group in
            group.addTask {
                while !worker.isStopping {
                    if try await worker.drain() == 0, !worker.isStopping { try await runtime.clock.sleep(for: .milliseconds(100)) }
                }
                return nil
            }
            group.addTask {
                var reporter = ProgressReporter(isTerminal: isTerminal)
                while true {
                    let counts = try await store.counts(noticeID: noticeID)
                    reporter.show(counts)
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

/// Prints delivery progress to standard error: a redrawn bar on a terminal, else a line whenever the counts change.
struct ProgressReporter {
    let isTerminal: Bool
    private var last: StateCounts?

    init(isTerminal: Bool) { self.isTerminal = isTerminal }

    mutating func show(_ counts: StateCounts) {
        if !isTerminal && counts == last { return }
        last = counts
        let line = isTerminal ? "\r\(bar(counts)) \(summary(counts))\u{1B}[K" : "\(summary(counts))\n"
        FileHandle.standardError.write(Data(line.utf8))
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
