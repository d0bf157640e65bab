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

    /// `Thu, 26 Nov 2026 02:21:00 +0000` (UTC), from `gmtime_r`: a `DateFormatter` per message
    /// cost more than the rest of the message.
    static func date(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(weekdays[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) +0000"
    }

    /// The headers and quoted-printable body of one text part.
    static func part(type: String, body: String) -> String {
        "Content-Type: \(type); charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" + quotedPrintable(body) + "\r\n"
    }

    /// Quoted-printable with CRLF hard breaks and `=` soft breaks keeping every line within 76 characters.
    /// Trailing empty lines are dropped.
    static func quotedPrintable(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count * 2)
        var lineLength = 0
        var pendingBreaks = 0
        let bytes = Array(text.utf8)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\r"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "\n") {
                index += 1
                continue
            }
            if byte == UInt8(ascii: "\n") {
                pendingBreaks += 1
                lineLength = 0
                index += 1
                continue
            }
            for _ in 0..<pendingBreaks { out += [UInt8(ascii: "\r"), UInt8(ascii: "\n")] }
            pendingBreaks = 0
            let endsLine = index + 1 == bytes.count || bytes[index + 1] == UInt8(ascii: "\n") || bytes[index + 1] == UInt8(ascii: "\r")
            let literal = byte != UInt8(ascii: "=") && ((33...126).contains(byte) || ((byte == 32 || byte == 9) && !endsLine))
            let width = literal ? 1 : 3
            if lineLength + width > 75 {
                out += [UInt8(ascii: "="), UInt8(ascii: "\r"), UInt8(ascii: "\n")]
                lineLength = 0
            }
            if literal {
                out.append(byte)
            } else {
                out += [UInt8(ascii: "="), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            }
            lineLength += width
            index += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The DATA payload: every line that starts with `.` gets another (RFC 5321 §4.5.2), ending with `CRLF.CRLF`.
    static func dotStuffed(_ message: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(message.utf8.count + 16)
        var atLineStart = true
        var previous: UInt8 = 0
        for byte in message.utf8 {
            if atLineStart, byte == UInt8(ascii: ".") { out.append(byte) }
            out.append(byte)
            atLineStart = previous == UInt8(ascii: "\r") && byte == UInt8(ascii: "\n")
            previous = byte
        }
        if !atLineStart { out += [UInt8(ascii: "\r"), UInt8(ascii: "\n")] }
        out += [UInt8(ascii: "."), UInt8(ascii: "\r"), UInt8(ascii: "\n")]
        return String(decoding: out, as: UTF8.self)
    }
}

extension MailMessage {
    /// The bytes to send after the server's 354: the rendered message, dot-stuffed and terminated.
    public func dataPayload() throws(Invalid) -> String {
        MIME.dotStuffed(try rendered())
    }
}
