/// An address with an optional display name: `Kim Haneul <haneul@example.kr>`.
public struct Mailbox: Sendable, Hashable {
    public var name: String?
    public var address: String

    public init(name: String? = nil, address: String) {
        self.name = name
        self.address = address
    }

    /// Parses `Display Name <address@example.com>` or a bare address.
    public init?(parsing text: String) {
        let trimmed = text.trimmingSpaces
        if let open = trimmed.lastIndex(of: "<"), trimmed.hasSuffix(">") {
            let name = String(trimmed[..<open]).trimmingSpaces.trimmingQuotes
            self.init(name: name.isEmpty ? nil : name, address: String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)]))
        } else {
            self.init(address: trimmed)
        }
        guard address.contains("@"), !address.contains(where: { $0 == "<" || $0 == ">" || $0.isWhitespace }) else { return nil }
    }

    /// The domain part, used in Message-ID.
    public var domain: String {
        guard let at = address.utf8.lastIndex(of: UInt8(ascii: "@")) else { return "localhost" }
        let domain = address[address.utf8.index(after: at)...]
        return domain.isEmpty ? "localhost" : String(domain)
    }
}

extension String {
    var trimmingSpaces: String {
        var text = Substring(self)
        while text.first == " " || text.first == "\t" { text = text.dropFirst() }
        while text.last == " " || text.last == "\t" { text = text.dropLast() }
        return String(text)
    }

    var trimmingQuotes: String {
        guard count >= 2, hasPrefix("\""), hasSuffix("\"") else { return self }
        return String(dropFirst().dropLast())
    }
}
