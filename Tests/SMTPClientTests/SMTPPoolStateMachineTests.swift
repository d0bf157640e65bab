@testable import SMTPClient
import Testing

/// The pool's decisions event by event, with no socket and a clock the test moves.
@Suite("SMTP pool state machine")
struct SMTPPoolStateMachineTests {
    typealias ID = SMTPPoolStateMachine.ConnectionID
    let start = ContinuousClock.now
    let everyoneOpen: (ID) -> Bool = { _ in true }

    func opened(_ machine: inout SMTPPoolStateMachine, maximumInFlight: Int = 1) -> ID {
        guard case .open(let id) = machine.lease(now: start, isOpen: everyoneOpen).action else {
            Issue.record("expected a new session")
            return ID(value: -1)
        }
        machine.connected(id, maximumInFlight: maximumInFlight, now: start)
        return id
    }

    @Test func anIdleSessionIsReusedBeforeANewOneIsOpenedAndTheLimitHolds() {
        var machine = SMTPPoolStateMachine(maximumConnections: 2, maximumIdleTime: .seconds(60))
        let first = opened(&machine)
        _ = machine.giveBack(first, now: start)
        let leased = machine.lease(now: start, isOpen: everyoneOpen).action
        #expect(leased == .use(first, reused: true))
        let second = opened(&machine)
        #expect(second != first && machine.connectionCount == 2)
        guard case .wait = machine.lease(now: start, isOpen: everyoneOpen).action else {
            Issue.record("a third message waits: both sessions are busy and the limit is 2")
            return
        }
        #expect(machine.connectionCount == 2)
    }

    @Test func onAPipeliningSessionMessagesFollowEachOtherUpToItsDepth() {
        var machine = SMTPPoolStateMachine(maximumConnections: 1, maximumIdleTime: .seconds(60))
        let session = opened(&machine, maximumInFlight: 2)
        let leased = machine.lease(now: start, isOpen: everyoneOpen).action
        #expect(leased == .use(session, reused: true))
        guard case .wait = machine.lease(now: start, isOpen: everyoneOpen).action else {
            Issue.record("a third message waits for the two in flight")
            return
        }
    }

    @Test func waitersAreWokenInOrderAndACancelledOneIsSkipped() {
        var machine = SMTPPoolStateMachine(maximumConnections: 1, maximumIdleTime: .seconds(60))
        let session = opened(&machine)
        guard case .wait(let first) = machine.lease(now: start, isOpen: everyoneOpen).action,
            case .wait(let second) = machine.lease(now: start, isOpen: everyoneOpen).action,
            case .wait(let third) = machine.lease(now: start, isOpen: everyoneOpen).action
        else {
            Issue.record("expected three waiters")
            return
        }
        let cancelled = machine.cancelWait(second)
        #expect(cancelled)
        let woken = machine.giveBack(session, now: start).wake
        #expect(woken == first)
        let next = machine.discard(session)
        #expect(next == third, "the cancelled waiter is never woken")
        let again = machine.cancelWait(second)
        #expect(!again, "a waiter is removed once")
        #expect(machine.connectionCount == 0)
    }

    @Test func aSessionTheServerClosedOrThatSatIdleTooLongIsDroppedBeforeALease() {
        var machine = SMTPPoolStateMachine(maximumConnections: 2, maximumIdleTime: .seconds(60))
        let closed = opened(&machine)
        let idle = opened(&machine)
        _ = machine.giveBack(closed, now: start)
        _ = machine.giveBack(idle, now: start)
        let (action, close) = machine.lease(now: start + .seconds(61)) { $0 != closed }
        #expect(Set(close) == [closed, idle])
        guard case .open = action else {
            Issue.record("with both dropped, a new session opens: \(action)")
            return
        }
    }

    @Test func aFailedConnectFreesItsPlaceForAWaiter() {
        var machine = SMTPPoolStateMachine(maximumConnections: 1, maximumIdleTime: .seconds(60))
        guard case .open(let id) = machine.lease(now: start, isOpen: everyoneOpen).action,
            case .wait(let waiter) = machine.lease(now: start, isOpen: everyoneOpen).action
        else {
            Issue.record("expected an opening session and a waiter")
            return
        }
        let woken = machine.connectFailed(id)
        #expect(woken == waiter)
        #expect(machine.connectionCount == 0)
    }

    @Test func shutdownClosesIdleSessionsAtOnceBusyOnesWhenTheirMessageEndsAndRefusesNewMessages() {
        var machine = SMTPPoolStateMachine(maximumConnections: 2, maximumIdleTime: .seconds(60))
        let idle = opened(&machine)
        let busy = opened(&machine)
        _ = machine.giveBack(idle, now: start)
        let (close, _) = machine.shutdown()
        #expect(close == [idle])
        let leased = machine.lease(now: start, isOpen: everyoneOpen).action
        #expect(leased == .refuse)
        let closing = machine.giveBack(busy, now: start).close
        #expect(closing == busy)
    }
}
