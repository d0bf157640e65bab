import Foundation
import HeraldChannels
import HeraldCore
import Testing

/// The webhook body is written straight into bytes; these pin it to the JSON the notice's values
/// make as a `TemplateValue` object (keys sorted at every level, the template's `webhook` part merged
/// into `data` with its keys winning).
@Suite("Webhook payload")
struct WebhookPayloadTests {
    func delivery(webhook: [String: TemplateValue]?, subject: String?, broadcast: String?) -> Delivery {
        Delivery(
            messageID: "msg_01\"q", recipient: Recipient(id: "u\n1", name: "Kim"),
            rendered: RenderedNotice(
                template: "outage-apology", locale: "ko", subject: subject, text: "본문 — \"quoted\"\n\u{2028}tab\t", html: nil, sms: "sms", webhook: webhook
            ),
            vars: ["service": "Messenger", "count": .number(3), "list": .list(["a", .bool(true), .null])], noticeID: "bc_1", broadcastID: broadcast,
            incidentID: nil, attemptedAt: Date(timeIntervalSince1970: 1_790_000_000)
        )
    }

    /// The body as the values make it, the slow and obvious way.
    func expected(_ delivery: Delivery) -> String {
        let rendered = delivery.rendered
        var data: [String: TemplateValue] = [
            "template": .string(rendered.template), "locale": .string(rendered.locale), "subject": rendered.subject.map(TemplateValue.string) ?? .null,
            "text": (rendered.text ?? rendered.sms).map(TemplateValue.string) ?? .null, "html": rendered.html.map(TemplateValue.string) ?? .null,
            "vars": .object(delivery.vars), "recipient": .object(["id": .string(delivery.recipient.id)]),
            "broadcast_id": delivery.broadcastID.map(TemplateValue.string) ?? .null, "incident_id": delivery.incidentID.map(TemplateValue.string) ?? .null,
        ]
        for (key, value) in rendered.webhook ?? [:] { data[key] = value }
        let envelope: TemplateValue = [
            "type": .string("notice.\(rendered.template)"), "id": .string(delivery.messageID),
            "timestamp": .string(RenderContext.timestamp(delivery.attemptedAt)), "data": .object(data),
        ]
        return envelope.jsonText
    }

    @Test(arguments: [
        [String: TemplateValue]?.none,
        ["event": "outage", "subject": "override", "zzz": ["nested": .number(1.5)], "aaa": .null, "vars": "replaced"],
    ])
    func theBodyIsTheNoticesValuesAsSortedJSON(webhook: [String: TemplateValue]?) throws {
        for (subject, broadcast) in [(String?.some("제목"), String?.some("bc_1")), (nil, nil)] {
            let delivery = delivery(webhook: webhook, subject: subject, broadcast: broadcast)
            let body = WebhookPayload.body(for: delivery)
            #expect(String(decoding: body, as: UTF8.self) == expected(delivery))
            #expect(try JSONSerialization.jsonObject(with: Data(body)) is [String: Any], "valid JSON")
        }
    }

    @Test func timestampsAreUTCWholeSecondsZeroPadded() {
        #expect(RenderContext.timestamp(Date(timeIntervalSince1970: 1_767_323_045.9)) == "2026-01-02T03:04:05Z")
        #expect(RenderContext.timestamp(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00Z")
    }
}
