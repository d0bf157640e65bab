@testable import HeraldSQLite
import Testing

@Suite("Commit timing")
struct CommitTimingTests {
    /// A send that finds the store idle is committed at once: lingering costs latency only under load.
    @Test
    func anIdleStoreCommitsAtOnce() {
        var timing = CommitTiming(batch: 16)
        #expect(timing.arrived(waiting: 1) == .commit)
        #expect(timing.arrived(waiting: 1) == .none, "the commit already scheduled takes it")
        #expect(timing.committed(waiting: 0) == .none)
        #expect(timing.arrived(waiting: 1) == .commit)
    }

    /// Items that arrived during a commit wait for more, until the batch is full.
    @Test
    func aBusyStoreLingersUntilTheBatchIsFull() {
        var timing = CommitTiming(batch: 4)
        _ = timing.arrived(waiting: 1)
        #expect(timing.committed(waiting: 2) == .linger(generation: 1))
        #expect(timing.arrived(waiting: 3) == .none)
        #expect(timing.arrived(waiting: 4) == .commit)
        #expect(timing.arrived(waiting: 5) == .none, "the commit already scheduled takes it")
        #expect(timing.lingerEnded(1) == .none, "the linger the full batch ended")
    }

    /// Without a full batch, the linger's timer starts the commit.
    @Test
    func theTimerEndsALinger() {
        var timing = CommitTiming(batch: 16)
        _ = timing.arrived(waiting: 1)
        #expect(timing.committed(waiting: 3) == .linger(generation: 1))
        #expect(timing.lingerEnded(1) == .commit)
        #expect(timing.arrived(waiting: 1) == .none)
        #expect(timing.committed(waiting: 0) == .none)
    }

    /// A late timer of an earlier linger does not cut a later one short.
    @Test
    func anEarlierTimerLeavesALaterLingerAlone() {
        var timing = CommitTiming(batch: 4)
        _ = timing.arrived(waiting: 1)
        #expect(timing.committed(waiting: 1) == .linger(generation: 1))
        #expect(timing.arrived(waiting: 4) == .commit)
        #expect(timing.committed(waiting: 2) == .linger(generation: 2))
        #expect(timing.lingerEnded(1) == .none)
        #expect(timing.lingerEnded(2) == .commit)
    }

    /// A batch of one (`CommitLinger.none`) never lingers: what is waiting goes into the next commit.
    @Test
    func aBatchOfOneNeverLingers() {
        var timing = CommitTiming(batch: CommitLinger.none.batch)
        _ = timing.arrived(waiting: 1)
        #expect(timing.committed(waiting: 1) == .commit)
        #expect(timing.committed(waiting: 7) == .commit)
        #expect(timing.committed(waiting: 0) == .none)
    }
}
