import Foundation

/// The encodings a message needs: RFC 2047 encoded words, quoted-printable (RFC 2045), RFC 5322 dates.
enum MIME {
    /// A header value on one line: CR and LF (and other controls) become spaces.
    static func singleLine(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : $0 }))
    }

    /// Plain ASCII stays as it is; anything else becomes `=?UTF-8?B?…?=` words of at most 75 characters,
    /// split on character boundaries and folded onto continuation lines.
    static func encodedWords(_ text: String) -> String {
        if text.unicodeScalars.allSatisfy({ $0.isASCII && $0.value >= 0x20 }) && !text.contains("=?") && text.utf8.count <= 900 {
            return text
        }
        // 36 bytes → 48 base64 characters → 60-character words, so even the first one fits on a
        // line after "Subject: " within RFC 2047's 76.
        var words: [String] = []
        var chunk: [UInt8] = []
        for character in text {
            let bytes = Array(String(character).utf8)
            if chunk.count + bytes.count > 36 {
                words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=")
                chunk.removeAll()
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=") }
        return words.joined(separator: "\r\n ")
    }

    /// `"Name" <address>` with the name encoded when it needs to be.
    static func mailbox(_ mailbox: Mailbox) -> String {
        guard let name = mailbox.name.map(singleLine), !name.isEmpty else { return "<\(mailbox.address)>" }
        let plain = name.unicodeScalars.allSatisfy { $0.isASCII && $0 != "\"" && $0 != "\\" }
        let display = plain ? "\"\(name)\"" : encodedWords(name)
        let lastLine = display.components(separatedBy: "\r\n").last ?? display
        // Fold before the address when the last line would get too long.
        return display + (lastLine.utf8.count + mailbox.address.utf8.count > 60 ? "\r\n <" : " <") + mailbox.address + ">"
    }

    /// `Thu, 26 Nov 2026 02:21:00 +0000`.
    static func date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }

    /// The headers and quoted-printable body of one text part.
    static func part(type: String, body: String) -> String {
        "Content-Type: \(type); charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" + quotedPrintable(body) + "\r\n"
    }

    /// Quoted-printable with CRLF hard breaks and `=` soft breaks keeping every line within 76 characters.
    static func quotedPrintable(_ text: String) -> String {
        var lines: [String] = []
        for rawLine in text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false) {
            var line = ""
            var pieces: [String] = []
            let bytes = Array(rawLine.utf8)
            for (index, byte) in bytes.enumerated() {
                let isLast = index == bytes.count - 1
                let encoded: String
                switch byte {
                case UInt8(ascii: "="): encoded = "=3D"
                case UInt8(ascii: " "), UInt8(ascii: "\t"): encoded = isLast ? String(format: "=%02X", byte) : String(UnicodeScalar(byte))
                case 33...126: encoded = String(UnicodeScalar(byte))
                default: encoded = String(format: "=%02X", byte)
                }
                if line.utf8.count + encoded.utf8.count > 75 {
                    pieces.append(line + "=")
                    line = ""
                }
                line += encoded
            }
            pieces.append(line)
            lines += pieces
        }
        while lines.last == "" { lines.removeLast() }
        return lines.joined(separator: "\r\n")
    }

    /// The DATA payload: every line that starts with `.` gets another (RFC 5321 §4.5.2), ending with `CRLF.CRLF`.
    static func dotStuffed(_ message: String) -> String {
        var out = message.split(separator: "\r\n", omittingEmptySubsequences: false)
            .map { $0.hasPrefix(".") ? "." + $0 : String($0) }
            .joined(separator: "\r\n")
        if !out.hasSuffix("\r\n") { out += "\r\n" }
        return out + ".\r\n"
    }
}

extension MailMessage {
    /// The bytes to send after the server's 354: the rendered message, dot-stuffed and terminated.
    public func dataPayload() throws(Invalid) -> String {
        MIME.dotStuffed(try rendered())
    }
}
