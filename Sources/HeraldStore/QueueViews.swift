import Foundation
import HeraldCore

/// A broadcast as `herald broadcasts` lists it: what was asked for, and its messages' counts by state.
public struct BroadcastSummary: Sendable, Hashable {
    public var notice: Notice
    public var counts: StateCounts

    public init(notice: Notice, counts: StateCounts) {
        self.notice = notice
        self.counts = counts
    }
}

/// A last error that messages of a notice share, and how many do: what `--wait` shows while it waits.
public struct FailureReason: Sendable, Hashable {
    public var error: String
    public var count: Int

    public init(error: String, count: Int) {
        self.error = error
        self.count = count
    }
}

/// Which final messages `OperatorQueue.requeue` queues again.
public struct RequeueSelection: Sendable, Hashable {
    /// These messages only; `nil` selects by notice and time instead.
    public var ids: [String]?
    /// Only this notice's messages (with `ids == nil`); `nil` for the whole queue.
    public var noticeID: String?
    /// The final states taken, a subset of `requeueable`.
    public var states: Set<MessageState>
    /// Only messages that reached their state at or after this time (with `ids == nil`).
    public var since: Date?

    /// The final states a message can be queued again from: the others were delivered or replaced. A
    /// `suppressed` one queued again is checked against the list again, so only a lifted suppression sends it.
    public static let requeueable: Set<MessageState> = [.failed, .expired, .cancelled, .suppressed]

    /// Named messages in any state that can be queued again.
    public static func messages(_ ids: [String]) -> RequeueSelection {
        RequeueSelection(ids: ids, noticeID: nil, states: requeueable, since: nil)
    }

    public init(ids: [String]? = nil, noticeID: String? = nil, states: Set<MessageState> = [.failed], since: Date? = nil) {
        self.ids = ids
        self.noticeID = noticeID
        self.states = states.intersection(Self.requeueable)
        self.since = since
    }

    /// Whether a message in `state`, of `noticeID`, last changed at `updatedAt`, is selected (ids aside).
    public func selects(state: MessageState, noticeID: String, updatedAt: Date) -> Bool {
        states.contains(state) && (ids != nil || ((self.noticeID == nil || self.noticeID == noticeID) && (since.map { updatedAt >= $0 } ?? true)))
    }

    /// The states as SQL string literals, for the backends' `IN (…)` clauses.
    public var stateList: [String] { states.map(\.rawValue).sorted() }
}
