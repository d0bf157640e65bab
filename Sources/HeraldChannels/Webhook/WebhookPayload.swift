import Foundation
import HeraldCore

/// The JSON body of a webhook delivery:
/// `{"data":{broadcast_id, html, incident_id, locale, recipient:{id}, subject, template, text, vars},"id":…,"timestamp":…,"type":"notice.<template>"}`.
/// The template's `webhook` part, when present, is merged into `data` and its keys win. Keys are
/// sorted at every level; the body is written straight into bytes (it runs for every delivery).
public enum WebhookPayload {
    /// The members of `data` Herald always writes, in sorted order.
    private static let standardKeys = ["broadcast_id", "html", "incident_id", "locale", "recipient", "subject", "template", "text", "vars"]

    public static func body(for delivery: Delivery) -> [UInt8] {
        let rendered = delivery.rendered
        let extra = rendered.webhook ?? [:]
        var out: [UInt8] = []
        out.reserveCapacity(1024)
        out.append(contentsOf: #"{"data":{"#.utf8)
        var first = true
        func member(_ key: String, _ write: (inout [UInt8]) -> Void) {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            TemplateValue.appendQuoted(key, to: &out)
            out.append(UInt8(ascii: ":"))
            write(&out)
        }
        func string(_ text: String?) -> (inout [UInt8]) -> Void {
            { out in if let text { TemplateValue.appendQuoted(text, to: &out) } else { out.append(contentsOf: "null".utf8) } }
        }
        // The standard keys and the webhook part's, merged in sorted order; the part's value wins a tie.
        let extraKeys = extra.keys.sorted()
        var (standard, added) = (standardKeys.startIndex, extraKeys.startIndex)
        while standard < standardKeys.endIndex || added < extraKeys.endIndex {
            let standardKey = standard < standardKeys.endIndex ? standardKeys[standard] : nil
            let addedKey = added < extraKeys.endIndex ? extraKeys[added] : nil
            if let addedKey, standardKey.map({ addedKey <= $0 }) ?? true {
                member(addedKey) { extra[addedKey]!.appendJSON(to: &$0) }
                if addedKey == standardKey { standard += 1 }
                added += 1
                continue
            }
            guard let key = standardKey else { break }
            standard += 1
            switch key {
            case "broadcast_id": member(key, string(delivery.broadcastID))
            case "html": member(key, string(rendered.html))
            case "incident_id": member(key, string(delivery.incidentID))
            case "locale": member(key, string(rendered.locale))
            case "recipient": member(key) { TemplateValue.object(["id": .string(delivery.recipient.id)]).appendJSON(to: &$0) }
            case "subject": member(key, string(rendered.subject))
            case "template": member(key, string(rendered.template))
            case "text": member(key, string(rendered.text ?? rendered.sms))
            default: member(key) { TemplateValue.object(delivery.vars).appendJSON(to: &$0) }
            }
        }
        out.append(contentsOf: #"},"id":"#.utf8)
        TemplateValue.appendQuoted(delivery.messageID, to: &out)
        out.append(contentsOf: #","timestamp":"#.utf8)
        TemplateValue.appendQuoted(RenderContext.timestamp(delivery.attemptedAt), to: &out)
        out.append(contentsOf: #","type":"#.utf8)
        TemplateValue.appendQuoted("notice.\(rendered.template)", to: &out)
        out.append(UInt8(ascii: "}"))
        return out
    }
}
