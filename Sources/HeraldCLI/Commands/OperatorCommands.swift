import ArgumentParser
import Foundation
import HeraldCore
import HeraldDispatch
import HeraldStore

/// `herald retry MESSAGE_ID... | --broadcast ID [--state failed,expired] | --failed [--since T] [--wait]`
struct RetryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry",
        abstract: "Queue failed, expired or cancelled messages again, from the first channel of their route.",
        discussion: """
            herald retry msg_01… msg_02…                      these messages
            herald retry --broadcast bc_01…                   the broadcast's failed messages
            herald retry --broadcast bc_01… --state failed,expired
            herald retry --failed --since 30m                 every message that failed in the last 30 minutes
            """
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp("Message ids (msg_…).", valueName: "message-id")) var messageIDs: [String] = []
    @Flag(help: "Every failed message (of --broadcast, else of the whole queue); the same as --state failed.") var failed = false
    @Option(help: ArgumentHelp("Only this broadcast's messages.", valueName: "bc_…")) var broadcast: String?
    @Option(help: ArgumentHelp("Which final states to retry, comma-separated: failed, expired, cancelled, suppressed (default: failed).", valueName: "S,S"))
    var state: String?
    @Option(help: ArgumentHelp("Only messages that reached that state in the last D (e.g. 30m) or since an ISO 8601 time.", valueName: "T"))
    var since: String?
    @Flag(help: "Deliver in this process; exit 0 only if every message retried was delivered.") var wait = false

    private var byIDs: Bool { !messageIDs.isEmpty }

    func validate() throws {
        let selects = failed || broadcast != nil || state != nil || since != nil
        guard byIDs != selects else {
            throw ValidationError("give message ids, or select with --broadcast, --failed, --state or --since; not both and not neither")
        }
        if failed, let state, state != "failed" { throw ValidationError("--failed is --state failed; give one of them") }
        _ = try states()
        if let since, Self.parseSince(since, now: Date()) == nil {
            throw ValidationError("--since expects a duration such as 30m or an ISO 8601 time such as 2026-11-26T09:00:00Z, got '\(since)'")
        }
    }

    /// The states of `--state` (default `failed`).
    private func states() throws -> Set<MessageState> {
        guard let state else { return [.failed] }
        var states: Set<MessageState> = []
        for name in state.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            guard let parsed = MessageState(rawValue: name), RequeueSelection.requeueable.contains(parsed) else {
                throw ValidationError("--state: '\(name)' cannot be retried (expected failed, expired, cancelled or suppressed)")
            }
            states.insert(parsed)
        }
        return states
    }

    /// `30m` → 30 minutes before `now`; `2026-11-26T09:00:00Z` → that instant.
    static func parseSince(_ text: String, now: Date) -> Date? {
        if let duration = DurationParser.duration(text) { return now - duration.timeInterval }
        return try? Date(text, strategy: .iso8601)
    }

    func run() async throws {
        let runtime = try HeraldRuntime(options: global)
        let since = self.since.flatMap { Self.parseSince($0, now: runtime.clock.now()) }
        let states = try states()
        try await runtime.withStore { store in
            let desk = runtime.makeOperatorDesk(store: store)
            let requeued: [String]
            do {
                requeued = byIDs ? try await desk.retry(messageIDs: messageIDs) : try await desk.retry(broadcast: broadcast, states: states, since: since)
            } catch let error as OperatorError {
                throw CommandFailure(error.description)
            }
            for id in requeued { print(id) }
            let missed = messageIDs.filter { !requeued.contains($0) }
            if !missed.isEmpty {
                throw CommandFailure("not retried (unknown, or not failed, expired or cancelled): \(missed.joined(separator: ", "))")
            }
            guard !requeued.isEmpty else {
                DeliveryWaiter.note("nothing to retry")
                return
            }
            try await DeliveryWaiter(runtime: runtime, store: store)
                .follow(.messages(requeued, broadcast: broadcast), queued: "\(requeued.count) messages again", wait: wait)
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
            throw CommandFailure(error.description)
        }
        switch cancelled {
        case .notice(let id, let messages): print("cancelled \(messages) messages of \(id)")
        case .message(let id): print("cancelled \(id)")
        }
    }
}
