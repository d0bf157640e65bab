/// One reply from an SMTP server: a three-digit code and one or more text lines (RFC 5321 §4.2).
public struct SMTPReply: Sendable, Hashable, CustomStringConvertible {
    public var code: Int
    /// The text of each line, without the code and separator.
    public var lines: [String]

    public init(code: Int, lines: [String]) {
        self.code = code
        self.lines = lines
    }

    /// 2xx: the command succeeded.
    public var isSuccess: Bool { (200..<300).contains(code) }
    /// 3xx: send more (the message after DATA, the next AUTH step).
    public var isIntermediate: Bool { (300..<400).contains(code) }
    /// 4xx: failed for now; the same command may succeed later.
    public var isTransient: Bool { (400..<500).contains(code) }
    /// 5xx: failed for good.
    public var isPermanent: Bool { (500..<600).contains(code) }

    /// `250 ok` or `250-first | second` for multi-line replies.
    public var description: String { "\(code) " + lines.joined(separator: " | ") }
}
