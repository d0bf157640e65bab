import Foundation

/// An e-mail to render as RFC 5322 / MIME: UTF-8 subjects and names as RFC 2047 encoded words,
/// bodies in quoted-printable, `multipart/alternative` when there is an HTML body.
///
/// No value can add a header: line breaks in the subject and display names are folded to spaces,
/// and an address or extra header with a line break is refused.
public struct MailMessage: Sendable {
    public var from: Mailbox
    public var to: [Mailbox]
    public var subject: String
    public var text: String
    public var html: String?
    /// The id part of `Message-ID: <id@domain>`; the domain is the sender's.
    public var messageID: String
    public var date: Date
    /// `List-Unsubscribe` target; adds `List-Unsubscribe-Post: List-Unsubscribe=One-Click` too.
    public var unsubscribeURL: String?

    public init(
        from: Mailbox, to: [Mailbox], subject: String, text: String, html: String? = nil, messageID: String, date: Date,
        unsubscribeURL: String? = nil
    ) {
        self.from = from
        self.to = to
        self.subject = subject
        self.text = text
        self.html = html
        self.messageID = messageID
        self.date = date
        self.unsubscribeURL = unsubscribeURL
    }

    /// Why a message cannot be rendered.
    public struct Invalid: Error, Sendable, Hashable, CustomStringConvertible {
        public var field: String
        public var reason: String
        public var description: String { "\(field): \(reason)" }
    }

    /// The message as it goes after DATA, with CRLF line endings (not yet dot-stuffed).
    public func rendered(boundary: String = "=_herald_" + UUID().uuidString) throws(Invalid) -> String {
        let breaks: (String) -> Bool = { $0.unicodeScalars.contains { $0 == "\r" || $0 == "\n" } }
        for mailbox in [from] + to where breaks(mailbox.address) {
            throw Invalid(field: "address", reason: "an address cannot contain a line break")
        }
        if let url = unsubscribeURL, breaks(url) || url.contains(">") {
            throw Invalid(field: "unsubscribe_url", reason: "cannot contain line breaks or >")
        }
        var headers: [(String, String)] = [
            ("From", MIME.mailbox(from)),
            ("To", to.map(MIME.mailbox).joined(separator: ",\r\n ")),
            ("Subject", MIME.encodedWords(MIME.singleLine(subject))),
            ("Date", MIME.date(date)),
            ("Message-ID", "<\(messageID)@\(from.domain)>"),
            ("MIME-Version", "1.0"),
        ]
        if let url = unsubscribeURL {
            headers.append(("List-Unsubscribe", "<\(url)>"))
            headers.append(("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))
        }
        var out = ""
        if let html {
            headers.append(("Content-Type", "multipart/alternative; boundary=\"\(boundary)\""))
            out += headers.map { "\($0.0): \($0.1)\r\n" }.joined() + "\r\n"
            out += "This is a multi-part message in MIME format.\r\n"
            out += "--\(boundary)\r\n" + MIME.part(type: "text/plain", body: text)
            out += "--\(boundary)\r\n" + MIME.part(type: "text/html", body: html)
            out += "--\(boundary)--\r\n"
        } else {
            out += headers.map { "\($0.0): \($0.1)\r\n" }.joined()
            out += MIME.part(type: "text/plain", body: text)
        }
        return out
    }
}
