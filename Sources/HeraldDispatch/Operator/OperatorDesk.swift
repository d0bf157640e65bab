import Foundation
import HeraldCore
import HeraldStore

/// What an operator does to messages already queued — cancel, retry — and sees of them — status,
/// channels — written once for the CLI (`herald cancel`, `retry`, `status`) and the API
/// (`POST /v1/…/cancel`, `/retry`, `GET /v1/broadcasts/{id}`, `/v1/channels`), which only adapt
/// arguments and answers.
///
/// ```swift
/// let desk = OperatorDesk(store: store, configuration: config, clock: SystemWallClock())
/// let outcome = try await desk.cancel("bc_01…", reason: "cancelled by operator")
/// ```
public struct OperatorDesk: Sendable {
    let store: any OperatorQueue
    let configuration: HeraldConfiguration
    let clock: any WallClock

    public init(store: any OperatorQueue, configuration: HeraldConfiguration, clock: any WallClock) {
        self.store = store
        self.configuration = configuration
        self.clock = clock
    }

    /// Counts by state of one broadcast, or of the whole queue with every channel's status.
    /// - Throws: `OperatorError.notFound` for an unknown broadcast.
    public func status(broadcast id: String?) async throws -> StatusReport {
        guard let id else {
            return StatusReport(id: nil, counts: try await store.counts(noticeID: nil), channels: try await channels())
        }
        guard try await store.notice(id: id) != nil else { throw OperatorError.notFound(id, kinds: [.notice]) }
        return StatusReport(id: id, counts: try await store.counts(noticeID: id))
    }

    /// The newest broadcasts, newest first, with their counts by state.
    public func broadcasts(limit: Int) async throws -> [BroadcastSummary] {
        try await store.broadcasts(limit: limit)
    }

    /// Every configured channel with its circuit, counts and canary.
    public func channels() async throws -> [ChannelStatus] {
        try await store.channelReport(for: configuration, now: clock.now())
    }

    /// What a cancel did.
    public enum Cancelled: Sendable, Hashable {
        /// A broadcast (or single send's notice) and how many of its messages were cancelled.
        case notice(id: String, messages: Int)
        case message(id: String)
    }

    /// Cancels a broadcast's messages that have not gone out, or one message (queued, retrying, or
    /// held by a worker whose lease expired).
    /// - Parameter kinds: which kinds of id to accept (the API has one route for each).
    public func cancel(_ id: String, reason: String, kinds: Set<IDKind> = [.notice, .message]) async throws -> Cancelled {
        let now = clock.now()
        if kinds.contains(.notice), try await store.notice(id: id) != nil {
            return .notice(id: id, messages: try await store.cancel(noticeID: id, reason: reason, now: now))
        }
        guard kinds.contains(.message), let detail = try await store.message(id: id) else { throw OperatorError.notFound(id, kinds: kinds) }
        guard try await store.cancel(messageID: id, reason: reason, now: now) else {
            throw OperatorError.notCancellable(id, state: detail.message.state)
        }
        return .message(id: id)
    }

    /// Queues failed, expired or cancelled messages again from the first channel of their route.
    /// - Returns: the ids queued again; the ones not among them were unknown or not final.
    public func retry(messageIDs: [String]) async throws -> [String] {
        try await requeue(.messages(messageIDs))
    }

    /// Queues again every message in one of `states` (of one broadcast, or the whole queue) that
    /// reached it at or after `since`, with a fresh lifetime of `retry.expire_after`.
    /// - Throws: `OperatorError.notFound` for an unknown broadcast.
    public func retry(broadcast: String?, states: Set<MessageState> = [.failed], since: Date? = nil) async throws -> [String] {
        if let broadcast, try await store.notice(id: broadcast) == nil { throw OperatorError.notFound(broadcast, kinds: [.notice]) }
        return try await requeue(RequeueSelection(noticeID: broadcast, states: states, since: since))
    }

    private func requeue(_ selection: RequeueSelection) async throws -> [String] {
        let now = clock.now()
        return try await store.requeue(selection, expiresAt: now + configuration.retry.expireAfter.timeInterval, now: now)
    }

    /// What an id names.
    public enum IDKind: Sendable, Hashable {
        case notice
        case message
    }
}

/// Why an operator action could not be done, in words for either front end.
public enum OperatorError: Error, Sendable, Hashable, CustomStringConvertible {
    case notFound(String, kinds: Set<OperatorDesk.IDKind>)
    /// The message is final, or a live worker holds it (it finishes).
    case notCancellable(String, state: MessageState)

    public var description: String {
        switch self {
        case .notFound(let id, let kinds):
            let what = kinds == [.notice] ? "broadcast" : kinds == [.message] ? "message" : "broadcast or message"
            return "no \(what) with id '\(id)'"
        case .notCancellable(let id, let state):
            let live = state == .sending ? " under a live lease; it finishes" : ""
            return "\(id) is \(state.rawValue)\(live) and cannot be cancelled"
        }
    }
}
