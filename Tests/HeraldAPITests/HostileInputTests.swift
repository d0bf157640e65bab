import Foundation
import HeraldCore
import HeraldStore
import HeraldTestSupport
import Hummingbird
import HummingbirdTesting
import Testing

/// What callers with a send token can aim Herald at, and what they can read back.
@Suite("API: hostile callers", .hangGuard)
struct HostileInputTests {
    static func send(webhook: String) -> String {
        #"{"template":"status-update","to":{"webhook":"\#(webhook)"},"vars":{"service":"M","status":"recovering","note":"n"}}"#
    }

    @Test(arguments: [
        ("http://127.0.0.1:99999/", "the port must be between 1 and 65535"), ("http://127.0.0.1:65536/", "the port must be"),
        ("http://[::1]:70000/", "the port must be"), ("http://user:pw@hooks.example.com/", "cannot carry a user name or password"),
        ("http://169.254.169.254/latest/meta-data", "destination refused"), ("http://10.0.0.5:8080/", "destination refused"),
        ("http://[fe80::1]/", "destination refused"), ("http://192.168.1.1/", "destination refused"),
    ])
    func aWebhookURLThatCannotOrMayNotBeUsedIs422AtAccept(url: String, reason: String) async throws {
        let harness = try APIHarness()
        try await harness.withClient { client in
            let response = try await client.call(.post, "/v1/messages", token: APIHarness.sender, body: Self.send(webhook: url))
            #expect(response.status == .unprocessableContent, "\(url): \(response.text)")
            #expect(response.pointer == "/to/webhook")
            #expect(response.text.contains(reason), "\(response.text)")
        }
        #expect(try await harness.store.counts(noticeID: nil).total == 0, "nothing was queued")
    }

    @Test func anInlineBroadcastRecipientWithABadPortPointsAtItsRow() async throws {
        let harness = try APIHarness()
        let body = #"{"template":"status-update","audience":{"recipients":[{"id":"a","webhook":"http://127.0.0.1:8080/"},{"id":"b","webhook":"http://127.0.0.1:99999/"}]},"vars":{"service":"M","status":"recovering","note":"n"}}"#
        try await harness.withClient { client in
            let response = try await client.call(.post, "/v1/broadcasts", token: APIHarness.sender, body: body)
            #expect(response.status == .unprocessableContent, "\(response.text)")
            #expect(response.pointer == "/audience/recipients/1/webhook")
        }
    }

    @Test(arguments: [
        (#"{"template":"status-update","to":{"email":"a@example.com","name":"Kim"},"vars":{"service":"M","status":"s","note":"n"}}"#, "/to/name"),
        (#"{"template":"status-update","to":{"fax":"+15550100"},"vars":{}}"#, "/to/fax"),
        (#"{"template":"status-update","to":{"email":"a@example.com"},"bogus":1}"#, "/bogus"),
        (#"{"template":"status-update","audience":{"all":true,"segmnet":"x"}}"#, "/audience/segmnet"),
    ])
    func anUnknownFieldIs422NamingItsPointer(body: String, pointer: String) async throws {
        let harness = try APIHarness()
        let path = body.contains("audience") ? "/v1/broadcasts" : "/v1/messages"
        try await harness.withClient { client in
            let response = try await client.call(.post, path, token: APIHarness.sender, body: body)
            #expect(response.status == .unprocessableContent, "\(response.text)")
            #expect(response.pointer == pointer)
            #expect(response.text.contains("unknown field"))
        }
        #expect(try await harness.store.counts(noticeID: nil).total == 0)
    }

    @Test func aRecipientNameOver256CharactersIs422() async throws {
        let harness = try APIHarness()
        let body = #"{"template":"status-update","to":{"email":"a@example.com"},"name":"\#(String(repeating: "n", count: 300))","vars":{"service":"M","status":"s","note":"n"}}"#
        try await harness.withClient { client in
            let response = try await client.call(.post, "/v1/messages", token: APIHarness.sender, body: body)
            #expect(response.status == .unprocessableContent)
            #expect(response.pointer == "/name")
        }
    }

    @Test func anObjectWhereTheTemplateInterpolatesAValueIs422() async throws {
        let harness = try APIHarness()
        let body = #"{"template":"status-update","to":{"email":"a@example.com"},"vars":{"service":{"a":1},"status":"recovering","note":"n"}}"#
        try await harness.withClient { client in
            let response = try await client.call(.post, "/v1/messages", token: APIHarness.sender, body: body)
            #expect(response.status == .unprocessableContent, "\(response.text)")
            #expect(response.pointer == "/vars/service")
            #expect(!response.text.contains("StrictNode"))
        }
    }

    @Test func anUnknownIncidentStatusIsNamedInPlainWords() async throws {
        let harness = try APIHarness()
        try await harness.withClient { client in
            let response = try await client.call(.post, "/v1/incidents", body: #"{"title":"Fire","services":{"Messenger":"exploded"}}"#)
            #expect(response.status == .unprocessableContent, "\(response.text)")
            #expect(response.pointer == "/services/Messenger")
            #expect(response.text.contains("expected one of outage, degraded, recovering, restored, got 'exploded'"), "\(response.text)")
            let long = try await client.call(.post, "/v1/incidents", body: #"{"title":"\#(String(repeating: "t", count: 201))","services":{"Pay":"outage"}}"#)
            #expect(long.status == .unprocessableContent)
            #expect(long.pointer == "/title")
        }
        #expect(try await harness.store.incidents(openOnly: false).isEmpty)
    }

    @Test func oneMessageCanBeCancelledByItsIdAndAFinalOneIs409() async throws {
        let harness = try APIHarness(workersRunning: false)
        try await harness.withClient { client in
            let accepted = try await client.call(.post, "/v1/messages", token: APIHarness.sender, body: Self.send(webhook: "http://127.0.0.1:9/"))
            guard case .string(let id)? = accepted.json["id"] else { Issue.record("not accepted: \(accepted.text)"); return }
            let cancelled = try await client.call(.post, "/v1/messages/\(id)/cancel", token: APIHarness.sender)
            #expect(cancelled.status == .ok)
            #expect(cancelled.json["state"] == "cancelled")
            let again = try await client.call(.post, "/v1/messages/\(id)/cancel", token: APIHarness.sender)
            #expect(again.status == .conflict)
            #expect(try await client.call(.post, "/v1/messages/msg_nope/cancel", token: APIHarness.sender).status == .notFound)
        }
    }

    @Test func everyMissingVariableIsNamedInOne422() async throws {
        let harness = try APIHarness()
        try await harness.withClient { client in
            let response = try await client.call(
                .post, "/v1/messages", token: APIHarness.sender, body: #"{"template":"status-update","to":{"email":"a@example.com"},"vars":{}}"#
            )
            #expect(response.status == .unprocessableContent)
            guard case .list(let errors)? = response.json["errors"] else { Issue.record("no errors: \(response.text)"); return }
            #expect(errors.compactMap { $0.objectValue?["pointer"] } == ["/vars/service", "/vars/status", "/vars/note"])
        }
    }
}
