import Foundation
import HeraldCore
import HeraldTestSupport
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("API: auth and problem+json errors", .hangGuard)
struct AuthAndErrorTests {
    static let send = #"{"template":"outage-apology","to":{"email":"kim@example.kr"},"vars":{"service":"Messenger","started_at":"15:30"}}"#

    @Test func withoutAValidTokenIs401AsProblemJSON() async throws {
        let harness = try APIHarness()
        try await harness.withClient { client in
            for token in [nil, "wrong-token", APIHarness.ops + "x"] {
                let response = try await client.call(.get, "/v1/channels", token: token)
                #expect(response.status == .unauthorized)
                #expect(response.headers[.contentType] == "application/problem+json")
                #expect(response.headers[.wwwAuthenticate] == "Bearer")
                #expect(response.int("status") == 401)
            }
        }
    }

    @Test func theSchemeIsCaseInsensitiveAndBlanksAroundTheTokenDoNotCount() async throws {
        let harness = try APIHarness()
        try await harness.withClient { client in
            for header in ["bearer \(APIHarness.ops)", "BEARER  \(APIHarness.ops)\t", "Bearer \(APIHarness.ops) "] {
                let response = try await client.call(.get, "/v1/channels", token: nil, headers: [.authorization: header])
                #expect(response.status == .ok, "\(header)")
            }
            for header in ["Bearer", "Bearer   ", "Basic \(APIHarness.ops)", "Bearer\(APIHarness.ops)", "Bearer \(APIHarness.ops) x"] {
                let response = try await client.call(.get, "/v1/channels", token: nil, headers: [.authorization: header])
                #expect(response.status == .unauthorized, "\(header)")
            }
        }
    }

    @Test func twoAuthorizationHeadersAre401EvenWhenOneIsValid() async throws {
        let harness = try APIHarness()
        try await harness.withClient { client in
            var headers = HTTPFields()
            headers[values: .authorization] = ["Bearer \(APIHarness.ops)", "Bearer wrong-token"]
            let response = try await client.call(.get, "/v1/channels", token: nil, headers: headers)
            #expect(response.status == .unauthorized)
        }
    }

    @Test func aTokenWithoutTheScopeIs403AndTheOpenEndpointsNeedNone() async throws {
        let harness = try APIHarness()
        try await harness.withClient { client in
            let refused = try await client.call(.post, "/v1/messages", token: APIHarness.reader, body: Self.send)
            #expect(refused.status == .forbidden)
            #expect(refused.json["detail"] == "token 'reader' lacks the 'send' scope")
            let response1 = try await client.call(.get, "/v1/channels", token: APIHarness.sender)
            #expect(response1.status == .forbidden)
            let response2 = try await client.call(.post, "/v1/messages", token: APIHarness.sender, body: Self.send)
            #expect(response2.status == .accepted)
            for path in ["/healthz", "/readyz", "/metrics", "/openapi.yaml"] {
                let response3 = try await client.call(.get, path, token: nil)
                #expect(response3.status == .ok, "\(path)")
            }
        }
        #expect(try await harness.store.counts(noticeID: nil).total == 1, "only the permitted send was queued")
    }

    @Test(arguments: [
        (#"{"template":"outage-apology","to":{"email":"kim@example.kr"},"vars":{"service":"Messenger"}}"#, "/vars/started_at"),
        (#"{"template":"no-such-template","to":{"email":"kim@example.kr"}}"#, "/template"),
        (#"{"template":"outage-apology","to":{"phone":"12"},"vars":{"service":"M","started_at":"1"}}"#, "/to/phone"),
        (#"{"template":"outage-apology","to":{"email":"not-an-address"},"vars":{"service":"M","started_at":"1"}}"#, "/to/email"),
        (#"{"template":"outage-apology","to":{"email":"a@b.kr"},"route":["pigeon"],"vars":{"service":"M","started_at":"1"}}"#, "/route"),
        (#"{"template":"outage-apology","to":{"email":"a@b.kr"},"priority":"urgent","vars":{"service":"M","started_at":"1"}}"#, "/priority"),
        (#"{"template":"outage-apology","to":{"email":"a@b.kr"},"expires_in":"soon","vars":{"service":"M","started_at":"1"}}"#, "/expires_in"),
        (#"{"to":{"email":"a@b.kr"}}"#, "/template"),
        (#"{"template":"outage-apology","to":{"email":5},"vars":{"service":"M","started_at":"1"}}"#, "/to/email"),
        (#"{"template":"outage-apology","to":"a@b.kr","vars":{"service":"M","started_at":"1"}}"#, "/to"),
        (#"{"template":"outage-apology","to":{"email":"a@b.kr"},"route":["outbox",7],"vars":{"service":"M","started_at":"1"}}"#, "/route/1"),
        (#"{"template":"outage-apology","to":{"email":"a@b.kr"},"vars":["service"]}"#, "/vars"),
        (#"["outage-apology"]"#, "/"),
    ])
    func invalidRequestsAre422NamingTheField(body: String, pointer: String) async throws {
        let harness = try APIHarness()
        try await harness.withClient { client in
            let response = try await client.call(.post, "/v1/messages", body: body)
            #expect(response.status == .unprocessableContent, "\(response.text)")
            #expect(response.headers[.contentType] == "application/problem+json")
            #expect(response.pointer == pointer, "\(response.text)")
        }
        #expect(try await harness.store.counts(noticeID: nil).total == 0)
    }

    @Test func malformedJSONIs400() async throws {
        let harness = try APIHarness()
        try await harness.withClient { client in
            let response = try await client.call(.post, "/v1/messages", body: #"{"template": "#)
            #expect(response.status == .badRequest)
            #expect(response.json["type"] == "urn:herald:problem:malformed-json")
        }
    }

    @Test func aBodyOverOneMebibyteIs413() async throws {
        let harness = try APIHarness()
        let huge = #"{"template":"outage-apology","vars":{"pad":""# + String(repeating: "x", count: (1 << 20) + 10) + #""}}"#
        try await harness.withClient { client in
            let response = try await client.call(.post, "/v1/messages", body: huge)
            #expect(response.status == .contentTooLarge)
            #expect(response.headers[.contentType] == "application/problem+json")
        }
        #expect(try await harness.store.counts(noticeID: nil).total == 0)
    }

    @Test func unknownIdsAre404() async throws {
        let harness = try APIHarness()
        try await harness.withClient { client in
            let response4 = try await client.call(.get, "/v1/messages/msg_nope")
            #expect(response4.status == .notFound)
            let response5 = try await client.call(.get, "/v1/broadcasts/bc_nope")
            #expect(response5.status == .notFound)
            let response6 = try await client.call(.post, "/v1/broadcasts/bc_nope/cancel")
            #expect(response6.status == .notFound)
        }
    }
}
