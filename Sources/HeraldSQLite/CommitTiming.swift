/// When a group commit writes, apart from the threads and timers that carry it out.
///
/// An idle commit starts at once, so a lone send waits for nothing but its own fsync. When items
/// arrived while a commit ran, the store is busy: the next commit lingers until `batch` items are
/// waiting or the linger's timer ends, whichever comes first (PostgreSQL's `commit_delay` and
/// `commit_siblings` do the same). Under load that makes groups larger, so each send shares its
/// fsync and its index pages with more others, and the writer spends less per send.
struct CommitTiming: Sendable {
    /// What the group commit does next.
    enum Step: Equatable {
        /// Nothing: a commit is scheduled, running or lingering already, or nothing is waiting.
        case none
        /// Schedule a commit of everything waiting.
        case commit
        /// Start the linger's timer; when it ends, call ``lingerEnded(_:)`` with this generation.
        case linger(generation: Int)
    }

    private enum Phase: Equatable {
        case idle
        case committing
        case lingering(generation: Int)
    }

    /// Waiting items that end a linger early; 1 or less never lingers.
    let batch: Int
    private var phase = Phase.idle
    private var generation = 0

    init(batch: Int) {
        self.batch = batch
    }

    /// An item arrived; `waiting` counts it.
    mutating func arrived(waiting: Int) -> Step {
        switch phase {
        case .idle:
            phase = .committing
            return .commit
        case .lingering where waiting >= batch:
            phase = .committing
            return .commit
        case .lingering, .committing:
            return .none
        }
    }

    /// A commit finished with `waiting` items arrived meanwhile.
    mutating func committed(waiting: Int) -> Step {
        if waiting == 0 {
            phase = .idle
            return .none
        }
        if waiting >= batch {
            phase = .committing
            return .commit
        }
        generation += 1
        phase = .lingering(generation: generation)
        return .linger(generation: generation)
    }

    /// The timer of linger `generation` ended; a linger already ended by a full batch ignores it.
    mutating func lingerEnded(_ generation: Int) -> Step {
        guard phase == .lingering(generation: generation) else { return .none }
        phase = .committing
        return .commit
    }
}
