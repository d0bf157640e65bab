import ArgumentParser
import Foundation
import HeraldChannels
import HeraldCore

/// A rendered notice as `templates render` and `broadcast --dry-run` show it: each part a channel of
/// the given kind sends, under a label, with the SMS text's segments and encoding and the webhook's
/// JSON body exactly as it would be posted (pretty-printed).
enum NoticePreview {
    /// - Parameters:
    ///   - kind: the channel kind; `nil` shows every part.
    ///   - delivery: the message as a channel would get it (the webhook body is built from it).
    ///   - maxSegments: the SMS channel's `max_segments`, to say when the text is over it.
    static func text(of delivery: Delivery, kind: ChannelKind?, maxSegments: Int? = nil) -> String {
        let rendered = delivery.rendered
        let parts = kind?.parts ?? Set(PartKind.allCases)
        var out = ""
        if parts.contains(.email), kind != .webhook, let text = rendered.text {
            out += "--- email ---\n"
            if let subject = rendered.subject { out += "Subject: \(subject)\n\n" }
            out += text + "\n"
        }
        if parts.contains(.emailHTML), kind != .webhook, let html = rendered.html {
            out += "--- email.html ---\n\(html)\n"
        }
        if parts.contains(.sms), kind != .webhook, let sms = rendered.sms {
            let count = SMSSegments(sms)
            var label = "\(count.segments) segment\(count.segments == 1 ? "" : "s"), \(count.encoding.rawValue), \(count.units) \(count.encoding == .gsm7 ? "septets" : "UTF-16 units")"
            if let maxSegments, let overrun = count.overrun(maxSegments: maxSegments) { label += "; \(overrun)" }
            out += "--- sms (\(label)) ---\n\(sms)\n"
        }
        if kind == .webhook || kind == nil {
            out += "--- webhook JSON ---\n\(prettyJSON(WebhookPayload.body(for: delivery)))\n"
        }
        return out
    }

    private static func prettyJSON(_ bytes: [UInt8]) -> String {
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)),
            let pretty = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        else { return String(decoding: bytes, as: UTF8.self) }
        return String(decoding: pretty, as: UTF8.self)
    }
}

/// `--channel`: a channel kind (`email` is the e-mail kind, also spelled `smtp`), or a configured channel's name.
struct ChannelChoice: ExpressibleByArgument {
    let text: String

    init?(argument: String) { text = argument }

    /// The kind it names, and the channel when it names one.
    func resolve(in configuration: HeraldConfiguration) throws -> (kind: ChannelKind, channel: ChannelSettings?) {
        if let channel = configuration.channels.first(where: { $0.name == text }) { return (channel.kind, channel) }
        if text == "email" { return (.smtp, nil) }
        if let kind = ChannelKind(rawValue: text) { return (kind, nil) }
        throw CommandFailure(
            "--channel: '\(text)' is neither a channel kind (email, sms, webhook, outbox) nor a configured channel (\(configuration.channels.map(\.name).joined(separator: ", ")))"
        )
    }
}
