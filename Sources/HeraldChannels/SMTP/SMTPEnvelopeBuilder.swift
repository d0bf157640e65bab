import Foundation
import HeraldCore
import SMTPClient

/// Turns one delivery into the MIME message and envelope the SMTP pool sends.
struct SMTPEnvelopeBuilder {
    var sender: Mailbox
    /// The `unsubscribe_url` split around each `{{recipient.id}}`, which becomes the recipient's id (percent-encoded).
    private let unsubscribePieces: [String]?

    init(sender: Mailbox, unsubscribeURL: String?) {
        self.sender = sender
        unsubscribePieces = unsubscribeURL?.components(separatedBy: "{{recipient.id}}")
    }

    func envelope(for delivery: Delivery) throws(DeliveryError) -> SMTPConnectionStateMachine.Envelope {
        let recipient = delivery.recipient
        guard let address = recipient.contacts.email, !address.isEmpty else {
            throw DeliveryError(reason: .noContact, isRetryable: false, detail: "recipient \(recipient.id) has no e-mail address")
        }
        let rendered = delivery.rendered
        guard let subject = rendered.subject, let text = rendered.text else {
            throw DeliveryError(
                reason: .render, isRetryable: false,
                detail: "template '\(rendered.template)' has no email part for locale '\(rendered.locale)'"
            )
        }
        let message = MailMessage(
            from: sender, to: [Mailbox(name: recipient.name.isEmpty ? nil : recipient.name, address: address)],
            subject: subject, text: text, html: rendered.html, messageID: delivery.messageID, date: delivery.attemptedAt,
            // The channel's own `unsubscribe_url` wins: an operator who hosts their own page keeps it.
            unsubscribeURL: unsubscribePieces.map { $0.joined(separator: Self.percentEncoded(recipient.id)) } ?? delivery.unsubscribeURL
        )
        do {
            let payload = try message.dataPayload()
            let international = !address.utf8.allSatisfy { $0 < 0x80 } || !sender.address.utf8.allSatisfy { $0 < 0x80 }
            return .init(sender: sender.address, recipient: address, payload: payload, utf8: international)
        } catch {
            throw DeliveryError(reason: .render, isRetryable: false, detail: error.description)
        }
    }

    /// The id as it goes in a URL: RFC 3986 unreserved characters as they are, every other byte of
    /// its UTF-8 as `%XX` (ids are usually all unreserved, and then returned unchanged).
    static func percentEncoded(_ id: String) -> String {
        let isUnreserved: (UInt8) -> Bool = { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
            case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"): true
            default: false
            }
        }
        guard !id.utf8.allSatisfy(isUnreserved) else { return id }
        let hex = Array("0123456789ABCDEF".utf8)
        var encoded: [UInt8] = []
        for byte in id.utf8 {
            if isUnreserved(byte) { encoded.append(byte) } else { encoded += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]] }
        }
        return String(decoding: encoded, as: UTF8.self)
    }
}
