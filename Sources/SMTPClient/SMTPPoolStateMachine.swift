/// Which SMTP session each message goes to, decided without I/O: the pool's bookkeeping as a value
/// that takes events (a message asks for a session, a session opened or failed to, a message ended,
/// a waiter gave up, shutdown) and answers with what to do. `SMTPConnectionPool` carries the answers
/// out; tests drive this type event by event with a clock of their own.
struct SMTPPoolStateMachine: Sendable {
    struct ConnectionID: Hashable, Sendable {
        let value: Int
    }

    struct WaiterID: Hashable, Sendable {
        let value: Int
    }

    /// What a message asking for a session should do.
    enum LeaseAction: Hashable, Sendable {
        /// Send on this session; `reused` when it carried messages before.
        case use(ConnectionID, reused: Bool)
        /// Connect a new session under this id, then report `connected` or `connectFailed`.
        case open(ConnectionID)
        /// Every session is busy: wait to be woken, then ask again.
        case wait(WaiterID)
        /// The pool is shut down.
        case refuse
    }

    private struct Session {
        var inFlight: Int
        var lastUsed: ContinuousClock.Instant
        var maximumInFlight: Int
    }

    let maximumConnections: Int
    let maximumIdleTime: Duration
    /// Open sessions, in the order they opened.
    private var sessions: [(id: ConnectionID, session: Session)] = []
    private var opening: Set<ConnectionID> = []
    private var waiters: [WaiterID] = []
    private var nextID = 0
    private(set) var isShutDown = false

    init(maximumConnections: Int, maximumIdleTime: Duration) {
        self.maximumConnections = max(1, maximumConnections)
        self.maximumIdleTime = maximumIdleTime
    }

    /// Sessions open or being opened.
    var connectionCount: Int { sessions.count + opening.count }

    /// A message asks for a session. Idle sessions the server closed (`isOpen` says no) or that sat
    /// idle past `maximumIdleTime` are dropped first and returned to be closed.
    mutating func lease(now: ContinuousClock.Instant, isOpen: (ConnectionID) -> Bool) -> (action: LeaseAction, close: [ConnectionID]) {
        guard !isShutDown else { return (.refuse, []) }
        let stale = sessions.filter { $0.session.inFlight == 0 && (!isOpen($0.id) || $0.session.lastUsed.duration(to: now) >= maximumIdleTime) }.map(\.id)
        sessions.removeAll { stale.contains($0.id) }
        if let id = leastBusy(isOpen: isOpen, where: { $0.inFlight == 0 }) { return (take(id), stale) }
        if connectionCount < maximumConnections {
            let id = ConnectionID(value: makeID())
            opening.insert(id)
            return (.open(id), stale)
        }
        if let id = leastBusy(isOpen: isOpen, where: { $0.inFlight < $0.maximumInFlight }) { return (take(id), stale) }
        let waiter = WaiterID(value: makeID())
        waiters.append(waiter)
        return (.wait(waiter), stale)
    }

    /// A session opened: the message that opened it is on it. During shutdown it is returned to be
    /// closed once that message ends (see `giveBack`).
    mutating func connected(_ id: ConnectionID, maximumInFlight: Int, now: ContinuousClock.Instant) {
        guard opening.remove(id) != nil else { return }
        sessions.append((id, Session(inFlight: 1, lastUsed: now, maximumInFlight: max(1, maximumInFlight))))
    }

    /// A session could not be opened: its place is free for a waiting message.
    mutating func connectFailed(_ id: ConnectionID) -> WaiterID? {
        opening.remove(id)
        return wakeOne()
    }

    /// A message ended and its session stays usable.
    /// - Returns: a waiter to wake, and the session to close when the pool is shut down and it is idle.
    mutating func giveBack(_ id: ConnectionID, now: ContinuousClock.Instant) -> (wake: WaiterID?, close: ConnectionID?) {
        guard let index = sessions.firstIndex(where: { $0.id == id }) else { return (wakeOne(), nil) }
        sessions[index].session.inFlight -= 1
        sessions[index].session.lastUsed = now
        var close: ConnectionID?
        if isShutDown, sessions[index].session.inFlight == 0 {
            sessions.remove(at: index)
            close = id
        }
        return (wakeOne(), close)
    }

    /// A message ended and took its session down with it (a failure that ends the session).
    mutating func discard(_ id: ConnectionID) -> WaiterID? {
        sessions.removeAll { $0.id == id }
        return wakeOne()
    }

    /// A waiting message gave up (its task was cancelled).
    /// - Returns: whether it was still waiting; if not, it was woken already.
    mutating func cancelWait(_ waiter: WaiterID) -> Bool {
        guard let index = waiters.firstIndex(of: waiter) else { return false }
        waiters.remove(at: index)
        return true
    }

    /// Refuses new messages. - Returns: the idle sessions to close now (busy ones close as their
    /// messages end) and every waiter, to be woken and refused.
    mutating func shutdown() -> (close: [ConnectionID], wake: [WaiterID]) {
        isShutDown = true
        let idle = sessions.filter { $0.session.inFlight == 0 }.map(\.id)
        sessions.removeAll { $0.session.inFlight == 0 }
        defer { waiters = [] }
        return (idle, waiters)
    }

    private mutating func makeID() -> Int {
        nextID += 1
        return nextID
    }

    private mutating func wakeOne() -> WaiterID? {
        waiters.isEmpty ? nil : waiters.removeFirst()
    }

    private func leastBusy(isOpen: (ConnectionID) -> Bool, where admits: (Session) -> Bool) -> ConnectionID? {
        sessions.filter { admits($0.session) && isOpen($0.id) }.min { $0.session.inFlight < $1.session.inFlight }?.id
    }

    private mutating func take(_ id: ConnectionID) -> LeaseAction {
        guard let index = sessions.firstIndex(where: { $0.id == id }) else { return .refuse }
        sessions[index].session.inFlight += 1
        return .use(id, reused: true)
    }
}
