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
    public func rendered(boundary: String = makeBoundary()) throws(Invalid) -> String {
        String(decoding: try renderedBytes(boundary: boundary), as: UTF8.self)
    }

    /// A multipart boundary. `=_` can never occur in quoted-printable text (`=` is always `=3D`
    /// there), so it needs no check against the parts.
    public static func makeBoundary() -> String {
        var generator = SystemRandomNumberGenerator()
        return "=_herald_" + String(generator.next() as UInt64, radix: 16)
    }

    func renderedBytes(boundary: String) throws(Invalid) -> [UInt8] {
        let breaks: (String) -> Bool = { $0.utf8.contains { $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\n") } }
        for mailbox in [from] + to where breaks(mailbox.address) {
            throw Invalid(field: "address", reason: "an address cannot contain a line break")
        }
        if let url = unsubscribeURL, breaks(url) || url.utf8.contains(UInt8(ascii: ">")) {
            throw Invalid(field: "unsubscribe_url", reason: "cannot contain line breaks or >")
        }
        var out: [UInt8] = []
        out.reserveCapacity(512 + 2 * (text.utf8.count + (html?.utf8.count ?? 0)))
        func header(_ name: String, _ value: String) {
            out.append(contentsOf: name.utf8)
            out.append(contentsOf: ": ".utf8)
            out.append(contentsOf: value.utf8)
            out.append(contentsOf: MIME.crlf)
        }
        header("From", MIME.mailbox(from))
        header("To", to.map(MIME.mailbox).joined(separator: ",\r\n "))
        header("Subject", MIME.encodedWords(MIME.singleLine(subject)))
        header("Date", MIME.date(date))
        header("Message-ID", "<\(messageID)@\(from.domain)>")
        header("MIME-Version", "1.0")
        if let url = unsubscribeURL {
            header("List-Unsubscribe", "<\(url)>")
            header("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
        }
        guard let html else {
            MIME.appendPart(type: "text/plain", body: text, to: &out)
            return out
        }
        header("Content-Type", "multipart/alternative; boundary=\"\(boundary)\"")
        out.append(contentsOf: "\r\nThis is a multi-part message in MIME format.\r\n--\(boundary)\r\n".utf8)
        MIME.appendPart(type: "text/plain", body: text, to: &out)
        out.append(contentsOf: "--\(boundary)\r\n".utf8)
        MIME.appendPart(type: "text/html", body: html, to: &out)
        out.append(contentsOf: "--\(boundary)--\r\n".utf8)
        return out
    }
}
