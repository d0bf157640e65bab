/// A JSON-shaped value: caller variables, webhook bodies and template contexts.
public enum TemplateValue: Sendable, Hashable {
    case string(String)
    case number(Double)
    case bool(Bool)
    case list([TemplateValue])
    case object([String: TemplateValue])
    case null

    /// The UTF-8 length of the longest string in the value (its own, or any member's or item's).
    public var longestText: Int {
        switch self {
        case .string(let text): text.utf8.count
        case .list(let items): items.map(\.longestText).max() ?? 0
        case .object(let members): members.values.map(\.longestText).max() ?? 0
        case .number, .bool, .null: 0
        }
    }

    /// The string form used when a value is interpolated into text.
    public var text: String {
        switch self {
        case .string(let s): s
        case .number(let n): n.rounded() == n && abs(n) < 1e15 ? String(Int64(n)) : String(n)
        case .bool(let b): b ? "true" : "false"
        case .null: ""
        case .list(let items): items.map(\.text).joined(separator: ", ")
        case .object: ""
        }
    }

    /// The members when this is an object.
    public var objectValue: [String: TemplateValue]? {
        if case .object(let members) = self { return members }
        return nil
    }
}

extension TemplateValue: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        // Strings first: they are most values, and every failed attempt costs a thrown error.
        if let string = try? container.decode(String.self) {
            self = .string(string)
        } else if container.decodeNil() {
            self = .null
        } else if let bool = try? container.decode(Bool.self) {
            self = .bool(bool)
        } else if let number = try? container.decode(Double.self) {
            self = .number(number)
        } else if let list = try? container.decode([TemplateValue].self) {
            self = .list(list)
        } else {
            self = .object(try container.decode([String: TemplateValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let s): try container.encode(s)
        case .number(let n):
            if n.rounded() == n && abs(n) < 1e15 { try container.encode(Int64(n)) } else { try container.encode(n) }
        case .bool(let b): try container.encode(b)
        case .list(let items): try container.encode(items)
        case .object(let members): try container.encode(members)
        case .null: try container.encodeNil()
        }
    }
}

extension TemplateValue: ExpressibleByStringLiteral, ExpressibleByDictionaryLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(dictionaryLiteral elements: (String, TemplateValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}

extension TemplateValue {
    /// Compact JSON with object keys sorted, written directly (it runs for every webhook delivery).
    public var jsonText: String {
        var out = ""
        appendJSON(to: &out)
        return out
    }

    private func appendJSON(to out: inout String) {
        switch self {
        case .string(let s): Self.appendQuoted(s, to: &out)
        case .number: out += text
        case .bool(let b): out += b ? "true" : "false"
        case .null: out += "null"
        case .list(let items):
            out += "["
            for (index, item) in items.enumerated() {
                if index > 0 { out += "," }
                item.appendJSON(to: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (index, key) in members.keys.sorted().enumerated() {
                if index > 0 { out += "," }
                Self.appendQuoted(key, to: &out)
                out += ":"
                members[key]!.appendJSON(to: &out)
            }
            out += "}"
        }
    }

    /// A JSON string literal: quotes, backslashes, control characters, U+2028 and U+2029 escaped;
    /// `/` and other non-ASCII text kept. Strings that need no escaping are appended whole.
    static func appendQuoted(_ string: String, to out: inout String) {
        out += "\""
        let utf8 = string.utf8
        guard utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C || $0 == 0xE2 }) else {
            out += string
            out += "\""
            return
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count + 16)
        var index = utf8.startIndex
        while index != utf8.endIndex {
            let byte = utf8[index]
            switch byte {
            case 0x22: bytes += [0x5C, 0x22]
            case 0x5C: bytes += [0x5C, 0x5C]
            case 0x0A: bytes += [0x5C, UInt8(ascii: "n")]
            case 0x0D: bytes += [0x5C, UInt8(ascii: "r")]
            case 0x09: bytes += [0x5C, UInt8(ascii: "t")]
            case 0..<0x20: bytes += Array("\\u00\(byte < 0x10 ? "0" : "")\(String(byte, radix: 16))".utf8)
            case 0xE2:
                // U+2028 and U+2029 (E2 80 A8/A9) are valid JSON but break JavaScript consumers.
                let next = utf8.index(after: index)
                let last = next == utf8.endIndex ? next : utf8.index(after: next)
                if last != utf8.endIndex, utf8[next] == 0x80, utf8[last] == 0xA8 || utf8[last] == 0xA9 {
                    bytes += Array((utf8[last] == 0xA8 ? "\\u2028" : "\\u2029").utf8)
                    index = last
                } else {
                    bytes.append(byte)
                }
            default: bytes.append(byte)
            }
            index = utf8.index(after: index)
        }
        out += String(decoding: bytes, as: UTF8.self)
        out += "\""
    }
}
