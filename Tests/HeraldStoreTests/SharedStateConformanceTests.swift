import Foundation
import HeraldCore
import HeraldStore
import HeraldTestSupport
import Testing

/// The rest of the store contract, per backend: two nodes on one queue, the recipient directory,
/// Idempotency-Keys, incidents, digest slots, cancel and requeue.
@Suite("Store conformance: nodes, directory and ledgers", .hangGuard)
struct SharedStateConformanceTests {
    static let start = Date(timeIntervalSince1970: 1_790_000_000)

    func broadcast(_ id: String, count: Int, into store: any MessageStore, at createdAt: Date = Self.start) async throws {
        let notice = Notice(
            id: id, kind: .broadcast, template: "outage-apology", vars: [:], route: ["outbox"], priority: .normal,
            expiresAt: createdAt + 86_400, createdAt: createdAt
        )
        let messages = (0..<count).map { NewMessage(id: "\(id)-\($0)", recipient: Recipient(id: "u\($0)")) }
        _ = try await store.enqueue(notice, messages: ArrayBatchSource(messages))
    }

    @Test(arguments: StoreBackend.allCases)
    func twoNodesClaimingAtOnceNeverShareAMessage(backend: StoreBackend) async throws {
        let directory = TemporaryDirectory()
        let first = try await backend.makeStore(in: directory)
        let second = try await backend.makeStore(in: directory)
        try await broadcast("bc", count: 600, into: first)
        let claims = try await withThrowingTaskGroup(of: [String].self) { group in
            for (node, store) in [("node-a", first), ("node-b", second)] {
                for worker in 0..<3 {
                    group.addTask {
                        var mine: [String] = []
                        while case let batch = try await store.claim(owner: "\(node)-\(worker)", limit: 25, now: Self.start, lease: .seconds(60)),
                            !batch.isEmpty
                        {
                            mine += batch.map(\.id)
                        }
                        return mine
                    }
                }
            }
            return try await group.reduce(into: [[String]]()) { $0.append($1) }
        }
        let all = claims.flatMap { $0 }
        #expect(all.count == 600, "every message claimed once: \(all.count) claims")
        #expect(Set(all).count == 600)
        #expect(claims.filter { !$0.isEmpty }.count > 1, "the work was shared")
        try await first.close()
        try await second.close()
    }

    @Test(arguments: StoreBackend.allCases)
    func recipientsAreUpsertedByIDAndStreamedBySegment(backend: StoreBackend) async throws {
        let directory = TemporaryDirectory()
        let store = try await backend.makeStore(in: directory)
        // 4,500 rows across batch and page boundaries; u7 appears twice and keeps its second entry.
        var rows = (0..<4_499).map { index in
            Recipient(
                id: String(format: "u%05d", index), name: "R\(index)", locale: index.isMultiple(of: 2) ? "ko" : nil,
                contacts: ContactPoints(email: "r\(index)@example.kr"), segments: index.isMultiple(of: 3) ? ["kr", "vip"] : ["kr"]
            )
        }
        rows.append(Recipient(id: "u00007", name: "Seven", contacts: ContactPoints(phone: "+821012345678"), segments: ["vip"]))
        #expect(try await store.upsertRecipients(ArrayBatchSource(rows), now: Self.start) == 4_500)
        #expect(try await store.recipientCount(segment: nil) == 4_499)
        #expect(try await store.recipientCount(segment: "kr") == 4_498)
        #expect(try await store.recipientCount(segment: "vip") == 1_501)
        let seven = try #require(try await store.recipients(segment: "vip", after: "u00006", limit: 1).first)
        #expect(seven == Recipient(id: "u00007", name: "Seven", contacts: ContactPoints(phone: "+821012345678"), segments: ["vip"]))

        let stream = try store.recipientStream(segment: "vip")
        var streamed: [String] = []
        while let page = try await stream.nextBatch(limit: 1_000) {
            for entry in page {
                #expect(entry.line == streamed.count + 1)
                streamed.append(try entry.recipient.get().id)
            }
        }
        #expect(streamed.count == 1_501)
        #expect(streamed == streamed.sorted())
        try await store.close()
    }

    @Test(arguments: StoreBackend.allCases)
    func aRecipientsSegmentsComeBackAsTheyWereStoredInTheDirectoryAndInItsMessages(backend: StoreBackend) async throws {
        let directory = TemporaryDirectory()
        let store = try await backend.makeStore(in: directory)
        // An audience file separates segments with `;`, so a segment's name may hold a comma.
        let kim = Recipient(id: "kim", contacts: ContactPoints(email: "kim@example.kr"), segments: ["seoul, east", "vip"])
        _ = try await store.upsertRecipients(ArrayBatchSource([kim]), now: Self.start)
        #expect(try await store.recipients(segment: "vip", after: nil, limit: 10).map(\.segments) == [["seoul, east", "vip"]])
        #expect(try await store.recipientCount(segment: "seoul, east") == 1)
        // Removed whole, memberships too (a status page subscriber who unsubscribes); a second time finds nothing.
        let lee = Recipient(id: "lee", contacts: ContactPoints(email: "lee@example.kr"), segments: ["vip"])
        _ = try await store.upsertRecipients(ArrayBatchSource([lee]), now: Self.start)
        #expect(try await store.removeRecipient(id: "lee"))
        #expect(try await store.removeRecipient(id: "lee") == false)
        #expect(try await store.recipients(segment: "vip", after: nil, limit: 10).map(\.id) == ["kim"])
        #expect(try await store.recipientCount(segment: nil) == 1)
        let notice = Notice(
            id: "bc", kind: .broadcast, template: "outage-apology", vars: [:], route: ["outbox"], priority: .normal,
            expiresAt: Self.start + 86_400, createdAt: Self.start
        )
        _ = try await store.enqueue(notice, messages: ArrayBatchSource([NewMessage(id: "m1", recipient: kim)]))
        #expect(try await store.claim(owner: "w", limit: 1, now: Self.start, lease: .seconds(60)).map(\.recipient.segments) == [["seoul, east", "vip"]])
        try await store.close()
    }

    @Test(arguments: StoreBackend.allCases)
    func eachChannelKeepsItsLatestCanaryResultAndTheLastDrillIsFound(backend: StoreBackend) async throws {
        let directory = TemporaryDirectory()
        let store = try await backend.makeStore(in: directory)
        #expect(try await store.lastDrill() == nil)
        let later = CanaryResult(channel: "sms", delivered: false, detail: "connection refused", at: Self.start + 60)
        try await store.recordCanary(later)
        try await store.recordCanary(CanaryResult(channel: "sms", delivered: true, at: Self.start))  // an older result, written late
        try await store.recordCanary(CanaryResult(channel: "email", delivered: true, at: Self.start))
        #expect(try await store.canaryResults() == [CanaryResult(channel: "email", delivered: true, at: Self.start), later])

        for (index, down) in [["messenger"], ["messenger", "sms"]].enumerated() {
            let paths = [DrillReport.Path(canary: "email", route: down + ["email"], outcome: .delivered, seconds: 0.5)]
            try await store.saveDrill(DrillReport(ranAt: Self.start + Double(index), down: down, paths: paths))
        }
        let last = try #require(try await store.lastDrill())
        #expect(last.down == ["messenger", "sms"] && last.ranAt == Self.start + 1 && last.paths.first?.seconds == 0.5)
        try await store.close()
    }

    @Test(arguments: StoreBackend.allCases)
    func anIdempotencyKeyReplaysRefusesAnotherBodyAndCanBeReleased(backend: StoreBackend) async throws {
        let directory = TemporaryDirectory()
        let store = try await backend.makeStore(in: directory)
        let window = Duration.seconds(86_400)
        #expect(try await store.claimIdempotencyKey("k1", fingerprint: "a", now: Self.start, window: window) == .claimed)
        #expect(try await store.claimIdempotencyKey("k1", fingerprint: "a", now: Self.start, window: window) == .inProgress)
        let response = StoredResponse(status: 202, contentType: "application/json", body: Array(#"{"id":"msg_1"}"#.utf8))
        try await store.completeIdempotencyKey("k1", response: response)
        #expect(try await store.claimIdempotencyKey("k1", fingerprint: "a", now: Self.start + 60, window: window) == .replay(response))
        #expect(try await store.claimIdempotencyKey("k1", fingerprint: "b", now: Self.start + 60, window: window) == .mismatch)
        #expect(try await store.claimIdempotencyKey("k1", fingerprint: "b", now: Self.start + 86_401, window: window) == .claimed, "forgotten after the window")

        #expect(try await store.claimIdempotencyKey("k2", fingerprint: "a", now: Self.start, window: window) == .claimed)
        try await store.releaseIdempotencyKey("k2")
        #expect(try await store.claimIdempotencyKey("k2", fingerprint: "c", now: Self.start, window: window) == .claimed)
        try await store.close()
    }

    @Test(arguments: StoreBackend.allCases)
    func incidentsChangeWholeAndDigestSlotsAreClaimedOnce(backend: StoreBackend) async throws {
        let directory = TemporaryDirectory()
        let first = try await backend.makeStore(in: directory)
        let second = try await backend.makeStore(in: directory)
        let services = [Incident.Service(name: "Messenger", status: .outage)]
        try await first.saveNewIncident(Incident(id: "inc_1", title: "Fire", services: services, segment: nil, note: nil, openedAt: Self.start))
        try await first.saveNewIncident(Incident(id: "inc_2", title: "Older", services: services, segment: nil, note: nil, openedAt: Self.start - 60))
        // Two nodes change one incident at once: both changes land.
        async let one = first.changeIncident(id: "inc_1") { $0.apply([.init(name: "Mail", status: .degraded)], note: "mail", at: Self.start + 1) }
        async let two = second.changeIncident(id: "inc_1") { $0.apply([.init(name: "Pay", status: .degraded)], note: "pay", at: Self.start + 2) }
        _ = try await (one, two)
        let changed = try #require(try await first.incident(id: "inc_1"))
        #expect(Set(changed.services.map(\.name)) == ["Messenger", "Mail", "Pay"])
        _ = try await first.changeIncident(id: "inc_2") { $0.resolve(note: nil, at: Self.start + 3) }
        #expect(try await first.incidents(openOnly: false).map(\.id) == ["inc_1", "inc_2"])
        #expect(try await first.incidents(openOnly: true).map(\.id) == ["inc_1"])
        #expect(try await first.changeIncident(id: "nope") { _ in } == nil)

        async let claimA = first.claimDigestSlot("hourly", slot: Self.start)
        async let claimB = second.claimDigestSlot("hourly", slot: Self.start)
        #expect([try await claimA, try await claimB].filter { $0 }.count == 1, "one node sends the slot")
        #expect(try await second.claimDigestSlot("hourly", slot: Self.start - 3_600) == false, "an earlier slot never runs")
        #expect(try await second.lastDigestSlot("hourly") == Self.start)
        try await first.close()
        try await second.close()
    }

    @Test(arguments: StoreBackend.allCases)
    func cancelStopsWhatIsQueuedAndRequeueStartsFailedMessagesAgain(backend: StoreBackend) async throws {
        let directory = TemporaryDirectory()
        let store = try await backend.makeStore(in: directory)
        try await broadcast("bc", count: 4, into: store)
        let claimed = try await store.claim(owner: "w", limit: 2, now: Self.start, lease: .seconds(60))
        try await store.record(
            claimed.map { DeliveryResult(messageID: $0.id, attempts: [], transition: .failed(error: "410")) }, owner: "w", now: Self.start + 5
        )
        #expect(try await store.cancel(noticeID: "bc", reason: "cancelled by operator", now: Self.start + 6) == 2)
        #expect(try await store.state(ofMessage: "bc-0") == .cancelled)

        #expect(try await store.requeue(RequeueSelection(noticeID: "bc", since: Self.start + 6), expiresAt: Self.start + 90_000, now: Self.start + 7).isEmpty)
        let failed = try await store.requeue(RequeueSelection(noticeID: "bc", since: Self.start + 5), expiresAt: Self.start + 90_000, now: Self.start + 7)
        #expect(failed == claimed.map(\.id).sorted(), "oldest first")
        let named = try await store.requeue(.messages(["bc-0", "bc-3"]), expiresAt: Self.start + 90_000, now: Self.start + 8)
        #expect(named == ["bc-0"], "a queued message is not requeued")
        #expect(try await store.counts(noticeID: "bc")[.queued] == 3)
        #expect(try await store.requeue(RequeueSelection(), expiresAt: Self.start, now: Self.start + 9).isEmpty)
        try await store.close()
    }

    @Test(arguments: StoreBackend.allCases)
    func requeueTakesTheFinalStatesItIsGiven(backend: StoreBackend) async throws {
        let directory = TemporaryDirectory()
        let store = try await backend.makeStore(in: directory)
        try await broadcast("bc", count: 3, into: store)
        let claimed = try await store.claim(owner: "w", limit: 3, now: Self.start, lease: .seconds(60)).map(\.id).sorted()
        try await store.record(
            [
                DeliveryResult(messageID: claimed[0], attempts: [], transition: .failed(error: "410")),
                DeliveryResult(messageID: claimed[1], attempts: [], transition: .expired(error: "timeout")),
                DeliveryResult(messageID: claimed[2], attempts: [], transition: .delivered(channel: "outbox")),
            ],
            owner: "w", now: Self.start + 5
        )
        #expect(try await store.requeue(RequeueSelection(noticeID: "bc"), expiresAt: Self.start + 90_000, now: Self.start + 6) == [claimed[0]])
        #expect(
            try await store.requeue(RequeueSelection(noticeID: "bc", states: [.failed, .expired, .delivered]), expiresAt: Self.start + 90_000, now: Self.start + 7)
                == [claimed[1]],
            "expired is taken when asked for; delivered never"
        )
        try await store.close()
    }

    @Test(arguments: StoreBackend.allCases)
    func broadcastsAreListedNewestFirstWithTheirCountsAndCommonestFailures(backend: StoreBackend) async throws {
        let directory = TemporaryDirectory()
        let store = try await backend.makeStore(in: directory)
        try await broadcast("bc-old", count: 2, into: store)
        try await broadcast("bc-new", count: 4, into: store, at: Self.start + 60)
        let single = Notice(
            id: "nt-single", kind: .single, template: "outage-apology", vars: [:], route: ["outbox"], priority: .normal,
            expiresAt: Self.start + 86_400, createdAt: Self.start + 120
        )
        try await store.enqueue(single, message: NewMessage(id: "m-single", recipient: Recipient(id: "s")))
        let claimed = try await store.claim(owner: "w", limit: 4, now: Self.start + 61, lease: .seconds(60)).map(\.id).sorted()
        #expect(claimed == (0..<4).map { "bc-new-\($0)" }, "newest first")
        try await store.record(
            claimed.enumerated().map { index, id in
                DeliveryResult(messageID: id, attempts: [], transition: .failed(error: index == 0 ? "rejected: HTTP 404" : "connection: refused"))
            },
            owner: "w", now: Self.start + 62
        )

        let listed = try await store.broadcasts(limit: 10)
        #expect(listed.map(\.notice.id) == ["bc-new", "bc-old"], "newest first, single sends left out")
        #expect(listed.first?.counts.total == 4)
        #expect(listed.last?.counts[.queued] == 2)
        #expect(try await store.broadcasts(limit: 1).map(\.notice.id) == ["bc-new"])

        #expect(
            try await store.failureReasons(noticeID: "bc-new", limit: 5)
                == [FailureReason(error: "connection: refused", count: 3), FailureReason(error: "rejected: HTTP 404", count: 1)]
        )
        #expect(try await store.failureReasons(noticeID: "bc-new", limit: 1).count == 1)
        #expect(try await store.failureReasons(noticeID: "bc-old", limit: 5).isEmpty)

        let newestFirst = try await store.messages(MessageFilter(noticeID: "bc-new")).map(\.message.id)
        #expect(newestFirst == newestFirst.sorted().reversed(), "messages are listed newest first")
        try await store.close()
    }
    @Test(arguments: StoreBackend.allCases)
    func oneMessageCanBeCancelledUnlessALiveWorkerHoldsIt(backend: StoreBackend) async throws {
        let directory = TemporaryDirectory()
        let store = try await backend.makeStore(in: directory)
        try await broadcast("bc", count: 3, into: store)
        let held = try await store.claim(owner: "w", limit: 2, now: Self.start, lease: .seconds(60))
        #expect(held.count == 2)
        let queued = try #require(["bc-0", "bc-1", "bc-2"].first { id in !held.contains { $0.id == id } })
        #expect(try await store.cancel(messageID: queued, reason: "cancelled by operator", now: Self.start + 1))
        #expect(try await store.state(ofMessage: queued) == .cancelled)
        #expect(try await store.cancel(messageID: held[0].id, reason: "x", now: Self.start + 1) == false, "a live lease finishes")
        // The worker died (or trapped on it): once its lease expired, the operator can clear it.
        #expect(try await store.cancel(messageID: held[0].id, reason: "cancelled by operator", now: Self.start + 61))
        #expect(try await store.state(ofMessage: held[0].id) == .cancelled)
        try await store.record([DeliveryResult(messageID: held[0].id, attempts: [], transition: .delivered(channel: "x"))], owner: "w", now: Self.start + 62)
        #expect(try await store.state(ofMessage: held[0].id) == .cancelled, "the lost lease's late result is ignored")
        #expect(try await store.cancel(messageID: "nope", reason: "x", now: Self.start) == false)
        try await store.close()
    }

    /// A broadcast to a segment streams the store's own recipients into its own queue: the pages are
    /// read while `enqueue` holds its transaction, so reading them must not need what the transaction
    /// holds (SQLite's writer, a pooled PostgreSQL connection). Run as `herald serve` runs it, on an
    /// event loop.
    @Test(arguments: StoreBackend.allCases)
    func aBroadcastStreamsAStoredSegmentIntoTheQueueOfTheSameStore(backend: StoreBackend) async throws {
        final class Messages: BatchSource {
            let recipients: any BatchSource<AudienceEntry>
            init(_ recipients: sending any BatchSource<AudienceEntry>) { self.recipients = recipients }
            func nextBatch(limit: Int) async throws -> [NewMessage]? {
                try await recipients.nextBatch(limit: limit)?.map { entry in
                    let recipient = try entry.recipient.get()
                    return NewMessage(id: "m-\(recipient.id)", recipient: recipient)
                }
            }
        }
        let directory = TemporaryDirectory()
        let store = try await backend.makeStore(in: directory)
        let people = (0..<4_500).map { Recipient(id: String(format: "u%05d", $0), segments: ["kr"]) }
        _ = try await store.upsertRecipients(ArrayBatchSource(people), now: Self.start)
        let notice = Notice(
            id: "bc", kind: .broadcast, template: "outage-apology", vars: [:], route: ["outbox"], priority: .normal,
            expiresAt: Self.start + 86_400, createdAt: Self.start
        )
        let total = try await EventLoopExecution.run { try await store.enqueue(notice, messages: Messages(try store.recipientStream(segment: "kr"))) }
        #expect(total == 4_500)
        #expect(try await store.counts(noticeID: "bc")[.queued] == 4_500)
        try await store.close()
    }

    @Test(arguments: StoreBackend.allCases)
    func oneOfManyNodesWinsAProbeOnceTheCooldownHasPassed(backend: StoreBackend) async throws {
        let directory = TemporaryDirectory()
        let first = try await backend.makeStore(in: directory)
        let second = try await backend.makeStore(in: directory)
        try await first.saveCircuit(CircuitRecord(channel: "hooks", state: .open, consecutiveFailures: 5, changedAt: Self.start))
        #expect(try await second.circuits().map(\.state) == [.open], "every node reads what one stored")
        #expect(try await first.claimProbe(channel: "hooks", now: Self.start + 14, cooldown: .seconds(15)) == false, "not before the cooldown")

        async let claimA = first.claimProbe(channel: "hooks", now: Self.start + 15, cooldown: .seconds(15))
        async let claimB = second.claimProbe(channel: "hooks", now: Self.start + 15, cooldown: .seconds(15))
        #expect([try await claimA, try await claimB].filter { $0 }.count == 1, "one node probes")
        #expect(try await second.circuits().first?.state == .halfOpen)
        #expect(try await second.claimProbe(channel: "hooks", now: Self.start + 29, cooldown: .seconds(15)) == false, "the prober has a cooldown")
        #expect(try await second.claimProbe(channel: "hooks", now: Self.start + 30, cooldown: .seconds(15)), "a silent prober's claim lapses")
        try await first.saveCircuit(CircuitRecord(channel: "hooks", state: .closed, consecutiveFailures: 0, changedAt: Self.start + 31))
        #expect(try await first.claimProbe(channel: "hooks", now: Self.start + 100, cooldown: .seconds(15)) == false, "a closed circuit has no probe")
        try await first.close()
        try await second.close()
    }

    @Test(arguments: StoreBackend.allCases)
    func nodesLeaseDisjointSlotsOfOneTimeline(backend: StoreBackend) async throws {
        let directory = TemporaryDirectory()
        let first = try await backend.makeStore(in: directory)
        let second = try await backend.makeStore(in: directory)
        #expect(try await first.leaseSlots(channel: "sms", count: 2, interval: 0.05, now: Self.start) == Self.start, "an unused timeline starts now")
        async let leaseA = first.leaseSlots(channel: "sms", count: 2, interval: 0.05, now: Self.start)
        async let leaseB = second.leaseSlots(channel: "sms", count: 2, interval: 0.05, now: Self.start)
        let starts = [try await leaseA, try await leaseB].map { $0.timeIntervalSince(Self.start) }.sorted()
        #expect(starts.map { ($0 * 1000).rounded() } == [100, 200], "each lease follows the last, wherever it was taken")
        let idle = try await second.leaseSlots(channel: "sms", count: 2, interval: 0.05, now: Self.start + 60)
        #expect(idle == Self.start + 60, "slots are never leased in the past")
        #expect(try await first.leaseSlots(channel: "email", count: 1, interval: 1, now: Self.start) == Self.start, "one timeline per channel")
        try await first.close()
        try await second.close()
    }

    @Test(arguments: StoreBackend.allCases)
    func aRecoveredChannelsRetryingMessagesAreDueAtOnce(backend: StoreBackend) async throws {
        let directory = TemporaryDirectory()
        let store = try await backend.makeStore(in: directory)
        try await broadcast("bc", count: 2, into: store)
        let claimed = try await store.claim(owner: "w", limit: 2, now: Self.start, lease: .seconds(60)).map(\.id).sorted()
        try await store.record(
            zip(claimed, ["hooks", "sms"]).map { id, channel in
                DeliveryResult(
                    messageID: id, attempts: [Attempt(at: Self.start, channel: channel, outcome: .transient, error: "down")],
                    transition: .retry(at: Self.start + 3600, routeIndex: 0, failures: 1, channelSince: Self.start, error: "down")
                )
            },
            owner: "w", now: Self.start
        )
        #expect(try await store.wakeRetrying(channel: "hooks", now: Self.start + 20) == 1)
        let due = try await store.claim(owner: "w2", limit: 2, now: Self.start + 20, lease: .seconds(60)).map(\.id)
        #expect(due == [claimed[0]], "only the recovered channel's message, not the other's")
        try await store.close()
    }
}
