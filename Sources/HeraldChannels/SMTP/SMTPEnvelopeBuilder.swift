import Foundation
import HeraldCore
import SMTPClient

/// Turns one delivery into the MIME message and envelope the SMTP pool sends.
struct SMTPEnvelopeBuilder {
    var sender: Mailbox
    /// May contain `{{recipient.id}}`, replaced with the recipient's id (percent-encoded).
    var unsubscribeURL: String?

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
            unsubscribeURL: unsubscribeURL.map { unsubscribe(from: $0, recipientID: recipient.id) }
        )
        do {
            let payload = try message.dataPayload()
            let international = !address.allSatisfy(\.isASCII) || !sender.address.allSatisfy(\.isASCII)
            return .init(sender: sender.address, recipient: address, payload: payload, utf8: international)
        } catch {
            throw DeliveryError(reason: .render, isRetryable: false, detail: error.description)
        }
    }

    /// RFC 3986 unreserved characters: everything else in an id is percent-encoded.
    static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    private func unsubscribe(from template: String, recipientID: String) -> String {
        let encoded = recipientID.addingPercentEncoding(withAllowedCharacters: Self.unreserved) ?? recipientID
        return template.replacingOccurrences(of: "{{recipient.id}}", with: encoded)
    }
}
