import ArgumentParser
import Foundation
import HeraldCore
import HeraldDispatch

/// `herald retry MESSAGE_ID... | --failed [--broadcast ID]`
struct RetryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry",
        abstract: "Queue failed, expired or cancelled messages again, from the first channel of their route."
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Message ids (msg_…).") var messageIDs: [String] = []
    @Flag(help: "Every failed message (of --broadcast, else of the whole queue).") var failed = false
    @Option(help: "With --failed: only this broadcast's messages.") var broadcast: String?
    @Option(help: ArgumentHelp("With --failed: only messages that failed in the last D (e.g. 30m) or since an ISO 8601 time.", valueName: "T"))
    var since: String?

    func validate() throws {
        guard messageIDs.isEmpty != !failed else { throw ValidationError("give message ids or --failed, not both and not neither") }
        if (broadcast != nil || since != nil) && !failed { throw ValidationError("--broadcast and --since go with --failed") }
        if let since, Self.parseSince(since, now: Date()) == nil {
            throw ValidationError("--since expects a duration such as 30m or an ISO 8601 time such as 2026-11-26T09:00:00Z, got '\(since)'")
        }
    }

    /// `30m` → 30 minutes before `now`; `2026-11-26T09:00:00Z` → that instant.
    static func parseSince(_ text: String, now: Date) -> Date? {
        if let duration = DurationParser.duration(text) { return now - duration.timeInterval }
        return try? Date(text, strategy: .iso8601)
    }

    func run() async throws {
        let runtime = try HeraldRuntime(options: global)
        let since = self.since.flatMap { Self.parseSince($0, now: runtime.clock.now()) }
        let requeued = try await runtime.withStore { store in
            let desk = runtime.makeOperatorDesk(store: store)
            return failed ? try await desk.retryFailed(broadcast: broadcast, since: since) : try await desk.retry(messageIDs: messageIDs)
        }
        for id in requeued { print(id) }
        let missed = failed ? [] : messageIDs.filter { !requeued.contains($0) }
        FileHandle.standardError.write(Data("queued again: \(requeued.count)\n".utf8))
        if !missed.isEmpty {
            FileHandle.standardError.write(Data("not retried (unknown, or not failed/expired/cancelled): \(missed.joined(separator: ", "))\n".utf8))
            throw ExitCode(1)
        }
    }
}

/// `herald cancel BROADCAST_ID | MESSAGE_ID`
struct CancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract: "Cancel a broadcast's messages, or one message, that have not gone out; messages in flight finish."
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "A broadcast id (bc_…) or a message id (msg_…).") var id: String

    func run() async throws {
        let runtime = try HeraldRuntime(options: global)
        let id = self.id
        let cancelled: OperatorDesk.Cancelled
        do {
            cancelled = try await runtime.withStore { store in try await runtime.makeOperatorDesk(store: store).cancel(id, reason: "cancelled by operator") }
        } catch let error as OperatorError {
            throw ValidationError(error.description)
        }
        switch cancelled {
        case .notice(let id, let messages): print("cancelled \(messages) messages of \(id)")
        case .message(let id): print("cancelled \(id)")
        }
    }
}
