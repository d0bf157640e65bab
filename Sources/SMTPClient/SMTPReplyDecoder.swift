import NIOCore

/// Turns the bytes an SMTP server sends into replies, however the bytes are split across reads.
/// A multi-line reply (`250-…` lines ending with a `250 …` line) comes out as one `SMTPReply`;
/// pipelined replies that arrive in one read come out in order.
public struct SMTPReplyDecoder: Sendable {
    /// Longest line accepted (RFC 5321 allows 512; servers send longer EHLO lines in practice).
    public static let maximumLineLength = 4096

    private var pending: [UInt8] = []
    private var lines: [String] = []
    private var code: Int?

    public init() {}

    /// A reply the decoder cannot accept.
    public struct Malformed: Error, Sendable, Hashable {
        public var reason: String
    }

    /// Feeds newly read bytes and returns every reply they complete.
    public mutating func feed(_ buffer: inout ByteBuffer) throws(Malformed) -> [SMTPReply] {
        var replies: [SMTPReply] = []
        while let byte = buffer.readInteger(as: UInt8.self) {
            guard byte == UInt8(ascii: "\n") else {
                pending.append(byte)
                guard pending.count <= Self.maximumLineLength else { throw Malformed(reason: "a reply line is longer than \(Self.maximumLineLength) bytes") }
                continue
            }
            if pending.last == UInt8(ascii: "\r") { pending.removeLast() }
            let line = pending
            pending.removeAll(keepingCapacity: true)
            if let reply = try accept(line) { replies.append(reply) }
        }
        return replies
    }

    private mutating func accept(_ line: [UInt8]) throws(Malformed) -> SMTPReply? {
        guard line.count >= 3, line[0..<3].allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
            let lineCode = Int(String(decoding: line[0..<3], as: UTF8.self)), (200...599).contains(lineCode)
        else {
            throw Malformed(reason: "not an SMTP reply line: \(String(decoding: line.prefix(80), as: UTF8.self))")
        }
        if let code, code != lineCode { throw Malformed(reason: "a multi-line reply changed its code from \(code) to \(lineCode)") }
        let separator = line.count > 3 ? line[3] : UInt8(ascii: " ")
        guard separator == UInt8(ascii: " ") || separator == UInt8(ascii: "-") else {
            throw Malformed(reason: "expected a space or - after the code \(lineCode)")
        }
        lines.append(line.count > 4 ? String(decoding: line[4...], as: UTF8.self) : "")
        guard separator == UInt8(ascii: " ") else {
            code = lineCode
            return nil
        }
        let reply = SMTPReply(code: lineCode, lines: lines)
        lines.removeAll()
        code = nil
        return reply
    }
}
