/// Every part of a template rendered for one recipient.
public struct RenderedNotice: Sendable, Hashable {
    public var template: String
    public var locale: String
    /// The e-mail subject, when the template has an e-mail part.
    public var subject: String?
    /// The plain-text e-mail body.
    public var text: String?
    /// The HTML e-mail body.
    public var html: String?
    /// The SMS text.
    public var sms: String?
    /// The webhook part's JSON object, merged into the webhook body's `data`.
    public var webhook: [String: TemplateValue]?

    public init(
        template: String, locale: String, subject: String? = nil, text: String? = nil, html: String? = nil,
        sms: String? = nil, webhook: [String: TemplateValue]? = nil
    ) {
        self.template = template
        self.locale = locale
        self.subject = subject
        self.text = text
        self.html = html
        self.sms = sms
        self.webhook = webhook
    }
}
