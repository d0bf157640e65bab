import Foundation
import HeraldCore
import HeraldStore
import HeraldTestSupport
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("API: messages and broadcasts", .hangGuard)
struct MessageAndBroadcastTests {
    @Test func aSentMessageIsDurableAndShowsItsAttempts() async throws {
        let harness = try APIHarness()
        let sink = try await HTTPSink.start()
        let body = #"{"template":"status-update","to":{"webhook":"\#(sink.url)/hook"},"vars":{"service":"Messenger","status":"recovering","note":"Chats work."},"priority":"high"}"#
        let id: String = try await harness.withClient { client in
            let accepted = try await client.call(.post, "/v1/messages", body: body)
            #expect(accepted.status == .accepted)
            #expect(accepted.json["state"] == "queued")
            guard case .string(let id)? = accepted.json["id"] else { throw CancellationError() }
            return id
        }
        try await harness.drain()
        await sink.stop()
        try await harness.withClient { client in
            let shown = try await client.call(.get, "/v1/messages/\(id)", token: APIHarness.reader)
            #expect(shown.status == .ok)
            #expect(shown.json["state"] == "delivered")
            #expect(shown.json["channel"] == "partners")
            guard case .list(let attempts)? = shown.json["attempts"] else { Issue.record("no attempts"); return }
            #expect(attempts.first?.objectValue?["outcome"] == "delivered")
            let response12 = try await client.call(.post, "/v1/messages/\(id)/retry")
            #expect(response12.status == .conflict, "a delivered message is not retried")
        }
        #expect(sink.received.map { $0.headers["webhook-id"] } == [id])
    }

    @Test func aSegmentBroadcastIsDeliveredEndToEnd() async throws {
        let harness = try APIHarness()
        let sink = try await HTTPSink.start()
        let recipients = (1...3).map { #"{"id":"u\#($0)","name":"User \#($0)","locale":"\#($0 == 1 ? "ko" : "en")","webhook":"\#(sink.url)/u\#($0)","segments":["partners"]}"# }
        let broadcastID: String = try await harness.withClient { client in
            let upsert = try await client.call(
                .put, "/v1/recipients", body: recipients.joined(separator: "\n") + "\n" + #"{"id":"u9","email":"other@example.kr","segments":"others"}"#,
                headers: [.contentType: "application/x-ndjson"]
            )
            #expect(upsert.status == .ok, "\(upsert.text)")
            #expect(upsert.int("upserted") == 4)
            let created = try await client.call(
                .post, "/v1/broadcasts",
                body: #"{"template":"outage-apology","audience":{"segment":"partners"},"vars":{"service":"Messenger","started_at":"15:30"}}"#
            )
            #expect(created.status == .accepted, "\(created.text)")
            #expect(created.int("total") == 3)
            guard case .string(let id)? = created.json["id"] else { throw CancellationError() }
            return id
        }
        try await harness.drain()
        await sink.stop()
        try await harness.withClient { client in
            let counts = try await client.call(.get, "/v1/broadcasts/\(broadcastID)")
            #expect(counts.int("total") == 3)
            #expect(counts.int("delivered") == 3)
        }
        #expect(Set(sink.received.map(\.path)) == ["/u1", "/u2", "/u3"])
        let korean = try #require(sink.received.first { $0.path == "/u1" })
        #expect(korean.text.contains(#""locale":"ko""#))
    }

    @Test func aBadInlineRecipientNamesItsIndexAndFieldAndNothingIsQueued() async throws {
        let harness = try APIHarness()
        try await harness.withClient { client in
            let response = try await client.call(
                .post, "/v1/broadcasts",
                body: #"{"template":"outage-apology","audience":{"recipients":[{"id":"a","email":"a@example.kr"},{"id":"b","email":"b@@example"}]},"vars":{"service":"M","started_at":"1"}}"#
            )
            #expect(response.status == .unprocessableContent)
            #expect(response.pointer == "/audience/recipients/1/email", "\(response.text)")
        }
        #expect(try await harness.store.counts(noticeID: nil).total == 0)
    }

    @Test func aDryRunReportsAndQueuesNothing() async throws {
        let harness = try APIHarness()
        try await harness.withClient { client in
            let response = try await client.call(
                .post, "/v1/broadcasts",
                body: #"{"template":"outage-apology","dry_run":true,"audience":{"recipients":[{"id":"a","email":"a@example.kr","locale":"ko"},{"id":"b","email":"b@example.kr"}]},"vars":{"service":"M","started_at":"1"}}"#
            )
            #expect(response.status == .ok, "\(response.text)")
            #expect(response.int("total") == 2)
            #expect(response.json["by_locale"]?.objectValue?.mapValues(\.text) == ["ko": "1", "en": "1"])
        }
        #expect(try await harness.store.counts(noticeID: nil).total == 0)
    }

    @Test func cancelStopsQueuedMessages() async throws {
        let harness = try APIHarness()
        try await harness.withClient { client in
            let created = try await client.call(
                .post, "/v1/broadcasts",
                body: #"{"template":"outage-apology","audience":{"recipients":[{"id":"a","email":"a@example.kr"},{"id":"b","email":"b@example.kr"}]},"vars":{"service":"M","started_at":"1"}}"#
            )
            guard case .string(let id)? = created.json["id"] else { Issue.record("no id"); return }
            let cancelled = try await client.call(.post, "/v1/broadcasts/\(id)/cancel")
            #expect(cancelled.int("cancelled") == 2)
            let response13 = try await client.call(.get, "/v1/broadcasts/\(id)")
            #expect(response13.int("cancelled") == 2)
        }
    }
}
