import Foundation
import HeraldAPI
import HeraldCore
import HeraldSQLite
import HeraldTestSupport
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("API: Idempotency-Key and the recipient directory", .hangGuard)
struct IdempotencyAndDirectoryTests {
    static let send = #"{"template":"outage-apology","to":{"email":"kim@example.kr"},"vars":{"service":"Messenger","started_at":"15:30"}}"#
    static let key: HTTPFields = [.init("Idempotency-Key")!: "incident-42-apology"]

    @Test func theSameKeyAndBodyReplaysTheFirstResponseEvenAfterARestart() async throws {
        let folder = TemporaryDirectory()
        let database = folder.file("herald.sqlite")
        let first = try await APIHarness(directory: folder, store: try SQLiteMessageStore(path: database)).withClient { client in
            try await client.call(.post, "/v1/messages", body: Self.send, headers: Self.key).text
        }
        // A new store and server on the same database file: the key survives.
        let restarted = try APIHarness(directory: folder, store: try SQLiteMessageStore(path: database))
        try await restarted.withClient { client in
            let again = try await client.call(.post, "/v1/messages", body: Self.send, headers: Self.key)
            #expect(again.status == .accepted)
            #expect(again.text == first)
            #expect(again.headers[.init("Idempotent-Replayed")!] == "true")
            let other = try await client.call(.post, "/v1/messages", body: Self.send.replacingOccurrences(of: "kim@", with: "lee@"), headers: Self.key)
            #expect(other.status == .unprocessableContent)
            #expect(other.json["type"] == "urn:herald:problem:idempotency-key-reused")
        }
        #expect(try await restarted.store.counts(noticeID: nil).total == 1, "one message for three requests")
    }

    @Test func keysBelongToTheirToken() async throws {
        let harness = try APIHarness()
        try await harness.withClient { client in
            let response8 = try await client.call(.post, "/v1/messages", body: Self.send, headers: Self.key)
            #expect(response8.status == .accepted)
            let response9 = try await client.call(.post, "/v1/messages", token: APIHarness.sender, body: Self.send, headers: Self.key)
            #expect(response9.status == .accepted)
        }
        #expect(try await harness.store.counts(noticeID: nil).total == 2)
    }

    @Test func aJSONArrayUpsertIsPagedBySegment() async throws {
        let harness = try APIHarness()
        let rows = (1...5).map { #"{"id":"r\#($0)","email":"r\#($0)@example.kr","segments":["\#($0 % 2 == 0 ? "even" : "odd")"]}"# }
        try await harness.withClient { client in
            let upsert = try await client.call(.put, "/v1/recipients", body: "[\n" + rows.joined(separator: ",\n") + "\n]")
            #expect(upsert.int("upserted") == 5, "\(upsert.text)")
            // Upsert by id: r1 moves to the even segment.
            _ = try await client.call(.put, "/v1/recipients", body: #"[{"id":"r1","email":"new@example.kr","segments":["even"]}]"#)
            let first = try await client.call(.get, "/v1/recipients?segment=even&limit=2", token: APIHarness.reader)
            #expect(first.json["next"] == "r2")
            guard case .list(let page)? = first.json["recipients"] else { Issue.record("no page"); return }
            #expect(page.compactMap { $0.objectValue?["id"] } == ["r1", "r2"])
            #expect(page.first?.objectValue?["email"] == "new@example.kr")
            let second = try await client.call(.get, "/v1/recipients?segment=even&limit=2&after=r2", token: APIHarness.reader)
            guard case .list(let rest)? = second.json["recipients"] else { Issue.record("no page"); return }
            #expect(rest.compactMap { $0.objectValue?["id"] } == ["r4"])
            #expect(second.json["next"] == nil)
        }
    }

    @Test func aBadRowNamesItsIndexAndFieldAndNothingIsImported() async throws {
        let harness = try APIHarness()
        try await harness.withClient { client in
            let response = try await client.call(
                .put, "/v1/recipients", body: #"{"id":"a","email":"a@example.kr"}"# + "\n" + #"{"id":"b","phone":"call me"}"# + "\n"
            )
            #expect(response.status == .unprocessableContent)
            #expect(response.pointer == "/1/phone", "\(response.text)")
            let response10 = try await client.call(.put, "/v1/recipients", body: #"[{"id":"a"}"#)
            #expect(response10.status == .badRequest, "an unclosed array")
            let response11 = try await client.call(.put, "/v1/recipients", token: APIHarness.sender, body: "[]")
            #expect(response11.status == .forbidden)
        }
        #expect(try await harness.store.recipientCount(segment: nil) == 0)
    }

    @Test func aLargeUploadStreamsThroughInOneTransaction() async throws {
        let harness = try APIHarness()
        // Over the 1 MiB JSON limit (about 1.6 MB), in few enough rows to stay quick in a debug build.
        let count = 6_000
        let name = String(repeating: "n", count: 200)
        var body = ""
        for index in 0..<count { body += #"{"id":"bulk\#(index)","name":"\#(name)","email":"bulk\#(index)@example.kr","segments":["bulk"]}"# + "\n" }
        #expect(body.utf8.count > APILimits.maximumBody)
        let upload = body
        try await harness.withClient { client in
            let response = try await client.call(.put, "/v1/recipients", body: upload, headers: [.contentType: "application/x-ndjson"])
            #expect(response.json["upserted"] == .number(Double(count)), "\(response.text)")
        }
        #expect(try await harness.store.recipientCount(segment: "bulk") == count)
    }
}
