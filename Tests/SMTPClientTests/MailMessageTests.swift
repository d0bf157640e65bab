import Foundation
import SMTPClient
import Testing

@Suite("Mail message rendering")
struct MailMessageTests {
    func message(
        subject: String = "Messenger is down", text: String = "Dear Kim,\nWe are sorry.\n", html: String? = nil, fromName: String? = "Example Status",
        unsubscribe: String? = nil
    ) -> MailMessage {
        MailMessage(
            from: Mailbox(name: fromName, address: "status@example.com"), to: [Mailbox(name: "김하늘", address: "haneul@example.kr")],
            subject: subject, text: text, html: html, messageID: "msg_01abc", date: Date(timeIntervalSince1970: 1_790_000_000),
            unsubscribeURL: unsubscribe
        )
    }

    /// The header block, unfolded, as name → value.
    func headers(_ rendered: String) -> [String: String] {
        let head = rendered.components(separatedBy: "\r\n\r\n")[0].replacingOccurrences(of: "\r\n ", with: " ")
        var result: [String: String] = [:]
        for line in head.components(separatedBy: "\r\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            result[String(line[..<colon])] = String(line[line.index(colon, offsetBy: 2)...])
        }
        return result
    }

    /// Decodes `=?UTF-8?B?…?=` words separated by folding white space.
    func decodeWords(_ value: String) -> String {
        value.split(separator: " ").map { word -> String in
            guard word.hasPrefix("=?UTF-8?B?"), word.hasSuffix("?=") else { return String(word) }
            let base64 = word.dropFirst(10).dropLast(2)
            return String(decoding: Data(base64Encoded: String(base64)) ?? Data(), as: UTF8.self)
        }.joined()
    }

    func decodeQuotedPrintable(_ text: String) -> String {
        var bytes: [UInt8] = []
        let input = Array(text.replacingOccurrences(of: "=\r\n", with: "").utf8)
        var index = 0
        while index < input.count {
            if input[index] == UInt8(ascii: "="), index + 2 < input.count, let value = UInt8(String(decoding: input[(index + 1)...(index + 2)], as: UTF8.self), radix: 16) {
                bytes.append(value)
                index += 3
            } else {
                bytes.append(input[index])
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
    }

    @Test func writesTheRequiredHeaders() throws {
        let rendered = try message().rendered()
        let fields = headers(rendered)
        #expect(fields["From"] == "\"Example Status\" <status@example.com>")
        #expect(fields["Subject"] == "Messenger is down")
        #expect(fields["Message-ID"] == "<msg_01abc@example.com>")
        #expect(fields["Date"] == "Mon, 21 Sep 2026 14:13:20 +0000")
        #expect(fields["MIME-Version"] == "1.0")
        #expect(fields["Content-Type"] == "text/plain; charset=utf-8")
        #expect(fields["Content-Transfer-Encoding"] == "quoted-printable")
        #expect(fields["List-Unsubscribe"] == nil)
    }

    @Test(arguments: [
        (0.0, "Thu, 01 Jan 1970 00:00:00 +0000"), (951_782_400, "Tue, 29 Feb 2000 00:00:00 +0000"),
        (4_107_542_399, "Sun, 28 Feb 2100 23:59:59 +0000"), (-86_401, "Tue, 30 Dec 1969 23:59:59 +0000"),
    ])
    func datesAreRFC5322InUTC(seconds: Double, expected: String) throws {
        var mail = message()
        mail.date = Date(timeIntervalSince1970: seconds)
        #expect(headers(try mail.rendered())["Date"] == expected)
    }

    @Test func encodesUTF8SubjectsAndNamesAsEncodedWordsWithinLineLimits() throws {
        let subject = "[Messenger] 서비스 장애 안내 및 사과 말씀 — 데이터는 안전하게 보관되어 있습니다"
        let rendered = try message(subject: subject).rendered()
        let fields = headers(rendered)
        #expect(decodeWords(fields["Subject"] ?? "") == subject)
        #expect(decodeWords(String((fields["To"] ?? "").prefix { $0 != "<" }).trimmingCharacters(in: .whitespaces)) == "김하늘")
        for line in rendered.components(separatedBy: "\r\n") { #expect(line.utf8.count <= 78, "\(line)") }
        for word in (fields["Subject"] ?? "").split(separator: " ") { #expect(word.count <= 75) }
    }

    @Test func noVariableCanAddAHeader() throws {
        let rendered = try message(subject: "Down\r\nBcc: everyone@example.com", fromName: "Ops\nX-Evil: 1").rendered()
        let head = rendered.components(separatedBy: "\r\n\r\n")[0]
        #expect(!head.contains("\r\nBcc:"))
        #expect(!head.contains("\r\nX-Evil:"))
        #expect(headers(rendered)["Subject"] == "Down  Bcc: everyone@example.com")
        #expect(throws: MailMessage.Invalid.self) {
            try MailMessage(
                from: Mailbox(address: "a@example.com"), to: [Mailbox(address: "b@example.com\r\nBcc: c@example.com")], subject: "x", text: "x",
                messageID: "m", date: Date()
            ).rendered()
        }
    }

    @Test func aQuoteOrBackslashInANameCannotAddARecipient() throws {
        let name = #"a" <evil@x.com>, "b\"#
        let rendered = try MailMessage(
            from: Mailbox(address: "status@example.com"), to: [Mailbox(name: name, address: "q@example.com")], subject: "x", text: "x",
            messageID: "m", date: Date(timeIntervalSince1970: 0)
        ).rendered()
        // One quoted string (RFC 5322 quoted pairs for " and \\), then the one address.
        #expect(headers(rendered)["To"] == #""a\" <evil@x.com>, \"b\\" <q@example.com>"#)
    }

    @Test func bodiesAreQuotedPrintableWithinSeventySixCharacters() throws {
        let text = "김하늘님, 안녕하십니까. " + String(repeating: "서비스 장애가 발생했습니다. ", count: 12) + "\nLine with = sign and trailing space \n.leading dot\n"
        let rendered = try message(text: text).rendered()
        let body = rendered.components(separatedBy: "\r\n\r\n").dropFirst().joined(separator: "\r\n\r\n")
        for line in body.components(separatedBy: "\r\n") { #expect(line.utf8.count <= 76, "\(line)") }
        #expect(decodeQuotedPrintable(body).trimmingCharacters(in: .newlines) == text.trimmingCharacters(in: .newlines))
        #expect(body.contains("=3D"))
        #expect(body.contains("space=20"))
    }

    @Test func anHTMLBodyMakesAMultipartAlternative() throws {
        let rendered = try message(html: "<p>Dear Kim</p>").rendered(boundary: "BOUNDARY")
        #expect(headers(rendered)["Content-Type"] == "multipart/alternative; boundary=\"BOUNDARY\"")
        let parts = rendered.components(separatedBy: "--BOUNDARY")
        #expect(parts.count == 4)
        #expect(parts[1].contains("Content-Type: text/plain; charset=utf-8"))
        #expect(parts[2].contains("Content-Type: text/html; charset=utf-8"))
        #expect(parts[3].hasPrefix("--"))
    }

    @Test func unsubscribeHeadersAreAddedForOneClick() throws {
        let fields = headers(try message(unsubscribe: "https://example.com/unsubscribe?r=u1").rendered())
        #expect(fields["List-Unsubscribe"] == "<https://example.com/unsubscribe?r=u1>")
        #expect(fields["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click")
    }

    @Test func theDataPayloadIsDotStuffedAndTerminated() throws {
        let payload = try message(text: ".hidden line\n..two dots\nnormal\n.").dataPayload()
        #expect(payload.contains("\r\n..hidden line\r\n...two dots\r\nnormal\r\n"))
        #expect(payload.hasSuffix("\r\n.\r\n"))
        #expect(!payload.dropLast(5).contains("\r\n.\r\n"), "no early terminator")
    }

    @Test func aBodyOfNothingButDotLinesIsStuffedLineByLine() throws {
        let payload = try message(text: Array(repeating: ".", count: 500).joined(separator: "\n")).dataPayload()
        #expect(payload.components(separatedBy: "\r\n").filter { $0 == ".." }.count == 500, "every dot line doubled")
        #expect(payload.hasSuffix("\r\n.\r\n"))
        let quoted = try message(text: String(repeating: "é", count: 400)).dataPayload()
        #expect(quoted.contains("=C3=A9=C3=A9"), "a body that is all escapes is quoted-printable throughout")
        #expect(quoted.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 76 })
    }

    @Test func parsesMailboxes() {
        #expect(Mailbox(parsing: "Example Status <status@example.com>") == Mailbox(name: "Example Status", address: "status@example.com"))
        #expect(Mailbox(parsing: "\"Ops, Team\" <ops@example.com>") == Mailbox(name: "Ops, Team", address: "ops@example.com"))
        #expect(Mailbox(parsing: "plain@example.com") == Mailbox(address: "plain@example.com"))
        #expect(Mailbox(parsing: "not an address") == nil)
    }
}
