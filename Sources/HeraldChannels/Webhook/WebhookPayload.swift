import Foundation
import HeraldCore

/// The JSON body of a webhook delivery:
/// `{"type":"notice.<template>","id":…,"timestamp":…,"data":{template, locale, subject, text, html, vars, recipient:{id}, broadcast_id, incident_id}}`.
/// The template's `webhook` part, when present, is merged into `data` and its keys win.
public enum WebhookPayload {
    public static func body(for delivery: Delivery) -> [UInt8] {
        let rendered = delivery.rendered
        var data: [String: TemplateValue] = [
            "template": .string(rendered.template),
            "locale": .string(rendered.locale),
            "subject": rendered.subject.map(TemplateValue.string) ?? .null,
            "text": (rendered.text ?? rendered.sms).map(TemplateValue.string) ?? .null,
            "html": rendered.html.map(TemplateValue.string) ?? .null,
            "vars": .object(delivery.vars),
            "recipient": .object(["id": .string(delivery.recipient.id)]),
            "broadcast_id": delivery.broadcastID.map(TemplateValue.string) ?? .null,
            "incident_id": delivery.incidentID.map(TemplateValue.string) ?? .null,
        ]
        for (key, value) in rendered.webhook ?? [:] { data[key] = value }
        let envelope: TemplateValue = .object([
            "type": .string("notice.\(rendered.template)"),
            "id": .string(delivery.messageID),
            "timestamp": .string(RenderContext.timestamp(delivery.attemptedAt)),
            "data": .object(data),
        ])
        return envelope.jsonBytes
    }
}
