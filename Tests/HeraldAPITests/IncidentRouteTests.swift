import Foundation
import HeraldCore
import HeraldTestSupport
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("API: incidents", .hangGuard)
struct IncidentRouteTests {
    /// Two stored recipients in the `customers` segment whose webhooks point at `sink`.
    func storeAudience(_ client: any TestClientProtocol, sink: HTTPSink) async throws {
        let rows = ["c1", "c2"].map { #"{"id":"\#($0)","webhook":"\#(sink.url)/\#($0)","segments":["customers"]}"# }
        let upsert = try await client.call(.put, "/v1/recipients", body: rows.joined(separator: "\n"))
        #expect(upsert.status == .ok)
    }

    @Test func anIncidentIsOpenedUpdatedAndResolvedWithItsTimeline() async throws {
        let harness = try APIHarness()
        try await harness.withClient { client in
            let opened = try await client.call(
                .post, "/v1/incidents", body: #"{"title":"Data-center fire","services":{"Messenger":"outage","Mail":"degraded"},"note":"Power lost at 15:30"}"#
            )
            #expect(opened.status == .created, "\(opened.text)")
            guard case .string(let id)? = opened.json["incident"]?.objectValue?["id"] else { Issue.record("no id"); return }
            let updated = try await client.call(.patch, "/v1/incidents/\(id)", body: #"{"services":{"Messenger":"recovering"},"note":"Chats are back"}"#)
            #expect(updated.status == .ok)
            let resolved = try await client.call(.patch, "/v1/incidents/\(id)", body: #"{"resolve":true,"note":"All restored"}"#)
            #expect(resolved.json["incident"]?.objectValue?["state"] == "resolved")
            let shown = try await client.call(.get, "/v1/incidents/\(id)", token: APIHarness.reader)
            guard case .list(let services)? = shown.json["services"], case .list(let updates)? = shown.json["updates"] else {
                Issue.record("\(shown.text)")
                return
            }
            #expect(services.compactMap { $0.objectValue?["status"] } == ["restored", "restored"])
            #expect(updates.compactMap { $0.objectValue?["note"] } == ["Power lost at 15:30", "Chats are back", "All restored"])
            let again = try await client.call(.patch, "/v1/incidents/\(id)", body: #"{"note":"late"}"#)
            #expect(again.status == .conflict)
            let open = try await client.call(.get, "/v1/incidents?state=open")
            #expect(open.text == "[]")
        }
    }

    @Test func aBadStatusOrTemplateVariableNamesTheField() async throws {
        let harness = try APIHarness()
        try await harness.withClient { client in
            let badStatus = try await client.call(.post, "/v1/incidents", body: #"{"title":"Fire","services":{"Messenger":"on fire"}}"#)
            #expect(badStatus.status == .unprocessableContent)
            #expect(badStatus.pointer == "/services/Messenger", "\(badStatus.text)")
            let badNotify = try await client.call(
                .post, "/v1/incidents", body: #"{"title":"Fire","services":{"Messenger":"outage"},"notify":{"template":"outage-apology"}}"#
            )
            #expect(badNotify.status == .unprocessableContent)
            #expect(badNotify.pointer == "/notify/vars/started_at", "\(badNotify.text)")
        }
        #expect(try await harness.store.incidents(openOnly: false).isEmpty, "nothing is saved when the notice cannot be queued")
    }

    @Test func aNewerUpdateSupersedesTheUnsentPreviousOne() async throws {
        let harness = try APIHarness()
        let sink = try await HTTPSink.start()
        let (first, second): (String, String) = try await harness.withClient { client in
            try await storeAudience(client, sink: sink)
            let opened = try await client.call(
                .post, "/v1/incidents",
                body: #"{"title":"Fire","segment":"customers","services":{"Messenger":"outage"},"note":"Down since 15:30","notify":{"template":"status-update"}}"#
            )
            let restored = try await client.call(
                .patch, "/v1/incidents/\(opened.json["incident"]?.objectValue?["id"]?.text ?? "")",
                body: #"{"services":{"Messenger":"restored"},"note":"Back at 18:00","notify":{"template":"status-update"}}"#
            )
            return (opened.json["broadcast_id"]?.text ?? "", restored.json["broadcast_id"]?.text ?? "")
        }
        try await harness.drain()
        await sink.stop()
        #expect(try await harness.store.counts(noticeID: first)[.superseded] == 2)
        #expect(try await harness.store.counts(noticeID: second)[.delivered] == 2)
        #expect(sink.received.count == 2)
        #expect(sink.received.allSatisfy { $0.text.contains(#""status":"restored""#) && !$0.text.contains(#""status":"outage""#) })
        #expect(sink.received.allSatisfy { $0.text.contains(#""incident_id":"inc_"#) })
    }
}
