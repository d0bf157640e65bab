import Foundation

/// The encodings a message needs: RFC 2047 encoded words, quoted-printable (RFC 2045), RFC 5322 dates.
///
/// Everything here runs once per message sent, so text is handled as UTF-8 bytes, with a fast path
/// for the common case (plain ASCII that needs no encoding).
enum MIME {
    /// A header value on one line: CR and LF (and other controls) become spaces.
    static func singleLine(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) else { return text }
        return String(String.UnicodeScalarView(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : $0 }))
    }

    /// Plain ASCII stays as it is; anything else becomes `=?UTF-8?B?…?=` words of at most 75 characters,
    /// split on character boundaries and folded onto continuation lines.
    static func encodedWords(_ text: String) -> String {
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x80 }) && !text.contains("=?") && text.utf8.count <= 900 {
            return text
        }
        // 36 bytes → 48 base64 characters → 60-character words, so even the first one fits on a
        // line after "Subject: " within RFC 2047's 76.
        var words: [String] = []
        var chunk: [UInt8] = []
        chunk.reserveCapacity(36 + 8)
        for character in text {
            let bytes = character.utf8
            if chunk.count + bytes.count > 36 {
                words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=")
                chunk.removeAll(keepingCapacity: true)
            }
            chunk.append(contentsOf: bytes)
        }
        if !chunk.isEmpty { words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=") }
        return words.joined(separator: "\r\n ")
    }

    /// `"Name" <address>`: a printable ASCII name as an RFC 5322 quoted string (`"` and `\\` escaped, so
    /// no name can close the quote and add an address), any other as RFC 2047 encoded words.
    static func mailbox(_ mailbox: Mailbox) -> String {
        guard let name = mailbox.name.map(singleLine), !name.isEmpty else { return "<\(mailbox.address)>" }
        let printable = name.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7f }
        // encodedWords encodes whatever is not printable ASCII, so a name that is not always comes out encoded.
        let display = printable ? quotedString(name) : encodedWords(name)
        // Fold before the address when the last line would get too long.
        let lastLineLength = display.utf8.reversed().prefix { $0 != UInt8(ascii: "\n") }.count
        return display + (lastLineLength + mailbox.address.utf8.count > 60 ? "\r\n <" : " <") + mailbox.address + ">"
    }

    /// `"text"` with `\\` and `"` escaped as quoted pairs.
    static func quotedString(_ text: String) -> String {
        var quoted = "\""
        for character in text {
            if character == "\"" || character == "\\" { quoted.append("\\") }
            quoted.append(character)
        }
        return quoted + "\""
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
    static func appendPart(type: String, body: String, to out: inout [UInt8]) {
        out.append(contentsOf: "Content-Type: \(type); charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n".utf8)
        appendQuotedPrintable(body, to: &out)
        out.append(contentsOf: crlf)
    }

    static let crlf: [UInt8] = [UInt8(ascii: "\r"), UInt8(ascii: "\n")]
    private static let hex = Array("0123456789ABCDEF".utf8)

    /// Quoted-printable with CRLF hard breaks and `=` soft breaks keeping every line within 76 characters.
    /// Trailing empty lines are dropped.
    static func appendQuotedPrintable(_ text: String, to out: inout [UInt8]) {
        var text = text
        text.withUTF8 { bytes in
            // At most 3 bytes per input byte, plus a 3-byte soft break per 25 input bytes.
            let capacity = 3 * bytes.count + 3 * (bytes.count / 25 + 1)
            let encoded = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
                var lineLength = 0
                var pendingBreaks = 0
                var index = 0
                func put(_ byte: UInt8) {
                    buffer[count] = byte
                    count += 1
                }
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
                    while pendingBreaks > 0 {
                        put(UInt8(ascii: "\r"))
                        put(UInt8(ascii: "\n"))
                        pendingBreaks -= 1
                    }
                    let endsLine = index + 1 == bytes.count || bytes[index + 1] == UInt8(ascii: "\n") || bytes[index + 1] == UInt8(ascii: "\r")
                    let literal = byte != UInt8(ascii: "=") && ((33...126).contains(byte) || ((byte == 32 || byte == 9) && !endsLine))
                    let width = literal ? 1 : 3
                    if lineLength + width > 75 {
                        put(UInt8(ascii: "="))
                        put(UInt8(ascii: "\r"))
                        put(UInt8(ascii: "\n"))
                        lineLength = 0
                    }
                    if literal {
                        put(byte)
                    } else {
                        put(UInt8(ascii: "="))
                        put(hex[Int(byte >> 4)])
                        put(hex[Int(byte & 0x0F)])
                    }
                    lineLength += width
                    index += 1
                }
            }
            out.append(contentsOf: encoded)
        }
    }

    /// The DATA payload: every line that starts with `.` gets another (RFC 5321 §4.5.2), ending with `CRLF.CRLF`.
    static func dotStuffed(_ message: [UInt8]) -> String {
        // At most one extra byte per line that starts with "." (the first, then one per three bytes at most), and the terminator.
        String(unsafeUninitializedCapacity: message.count + message.count / 3 + 6) { buffer in
            var count = 0
            var atLineStart = true
            var previous: UInt8 = 0
            message.withUnsafeBufferPointer { message in
                for byte in message {
                    if atLineStart, byte == UInt8(ascii: ".") {
                        buffer[count] = byte
                        count += 1
                    }
                    buffer[count] = byte
                    count += 1
                    atLineStart = previous == UInt8(ascii: "\r") && byte == UInt8(ascii: "\n")
                    previous = byte
                }
            }
            let ending: [UInt8] = atLineStart ? [UInt8(ascii: "."), 13, 10] : [13, 10, UInt8(ascii: "."), 13, 10]
            for byte in ending {
                buffer[count] = byte
                count += 1
            }
            return count
        }
    }
}

extension MailMessage {
    /// The bytes to send after the server's 354: the rendered message, dot-stuffed and terminated.
    public func dataPayload() throws(Invalid) -> String {
        MIME.dotStuffed(try renderedBytes(boundary: Self.makeBoundary()))
    }
}
