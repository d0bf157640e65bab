import Foundation

/// The commands the client sends, each rendered as one CRLF-terminated line.
public enum SMTPCommand: Sendable, Hashable {
    case ehlo(String)
    case helo(String)
    case startTLS
    /// `AUTH PLAIN <base64(\0user\0password)>`
    case authPlain(username: String, password: String)
    case authLogin
    /// One base64 line of the AUTH LOGIN exchange (the username, then the password).
    case authLoginStep(String)
    case mailFrom(String, utf8: Bool)
    case rcptTo(String)
    case data
    case rset
    case noop
    case quit

    /// The line on the wire.
    public var line: String {
        switch self {
        case .ehlo(let host): "EHLO \(host)\r\n"
        case .helo(let host): "HELO \(host)\r\n"
        case .startTLS: "STARTTLS\r\n"
        case .authPlain(let username, let password): "AUTH PLAIN \(Data("\0\(username)\0\(password)".utf8).base64EncodedString())\r\n"
        case .authLogin: "AUTH LOGIN\r\n"
        case .authLoginStep(let value): "\(Data(value.utf8).base64EncodedString())\r\n"
        case .mailFrom(let address, let utf8): "MAIL FROM:<\(address)>\(utf8 ? " SMTPUTF8" : "")\r\n"
        case .rcptTo(let address): "RCPT TO:<\(address)>\r\n"
        case .data: "DATA\r\n"
        case .rset: "RSET\r\n"
        case .noop: "NOOP\r\n"
        case .quit: "QUIT\r\n"
        }
    }
}

/// What an EHLO reply says the server can do.
public struct SMTPCapabilities: Sendable, Hashable {
    public var pipelining = false
    public var startTLS = false
    public var authMechanisms: Set<String> = []
    public var maximumSize: Int?
    public var eightBitMIME = false
    public var smtpUTF8 = false

    public init() {}

    /// Reads the keyword lines of an EHLO reply (the first line is the server's greeting).
    public init(ehlo reply: SMTPReply) {
        for line in reply.lines.dropFirst() {
            let words = line.uppercased().split(separator: " ").map(String.init)
            switch words.first {
            case "PIPELINING": pipelining = true
            case "STARTTLS": startTLS = true
            case "AUTH": authMechanisms.formUnion(words.dropFirst())
            case "SIZE": maximumSize = words.count > 1 ? Int(words[1]) : nil
            case "8BITMIME": eightBitMIME = true
            case "SMTPUTF8": smtpUTF8 = true
            default: break
            }
        }
    }
}
