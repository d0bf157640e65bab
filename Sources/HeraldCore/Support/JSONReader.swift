/// A strict RFC 8259 JSON parser into `TemplateValue`, for request bodies on the hot path.
///
/// Foundation's `JSONDecoder` spent more time on a 160-byte send than the rest of its validation;
/// this reads the bytes once into the value tree the API maps by hand. Numbers become `Double`, but
/// one with more significant digits than a `Double` holds exactly (`123456789012345678901234567890`)
/// stays the text it was, so `{{amount}}` renders the caller's value, not `1.2345678901234568e+29`.
/// A repeated object key keeps its last value, and nesting deeper than `maximumDepth` is refused.
///
/// ```swift
/// let value = try JSONReader.parse(Array(#"{"template":"outage-apology"}"#.utf8))
/// value.objectValue?["template"]  // .string("outage-apology")
/// ```
public enum JSONReader {
    /// How deeply arrays and objects may nest.
    public static let maximumDepth = 256

    /// The value of a whole JSON text.
    public static func parse(_ bytes: [UInt8]) throws(JSONSyntaxError) -> TemplateValue {
        let result: Result<TemplateValue, JSONSyntaxError> = bytes.withUnsafeBufferPointer { buffer in
            var parser = Parser(bytes: buffer)
            return Result { () throws(JSONSyntaxError) in
                parser.skipWhitespace()
                let value = try parser.value(depth: 0)
                parser.skipWhitespace()
                guard parser.offset == buffer.count else { throw parser.error("unexpected text after the JSON value") }
                return value
            }
        }
        return try result.get()
    }

    private struct Parser {
        let bytes: UnsafeBufferPointer<UInt8>
        var offset = 0

        init(bytes: UnsafeBufferPointer<UInt8>) {
            self.bytes = bytes
        }

        func error(_ reason: String) -> JSONSyntaxError {
            JSONSyntaxError(offset: offset, reason: reason)
        }

        var current: UInt8? { offset < bytes.count ? bytes[offset] : nil }

        mutating func skipWhitespace() {
            while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { offset += 1 }
        }

        mutating func value(depth: Int) throws(JSONSyntaxError) -> TemplateValue {
            guard let byte = current else { throw error("unexpected end of the text") }
            switch byte {
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "{"): return try object(depth: depth + 1)
            case UInt8(ascii: "["): return try list(depth: depth + 1)
            case UInt8(ascii: "t"): try literal("true"); return .bool(true)
            case UInt8(ascii: "f"): try literal("false"); return .bool(false)
            case UInt8(ascii: "n"): try literal("null"); return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
            default: throw error("unexpected character")
            }
        }

        mutating func literal(_ word: StaticString) throws(JSONSyntaxError) {
            let expected = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
            guard offset + expected.count <= bytes.count, bytes[offset..<offset + expected.count].elementsEqual(expected) else {
                throw error("unexpected character")
            }
            offset += expected.count
        }

        /// Steps into an object or array; `true` when it closes at once (`{}`, `[]`).
        mutating func enter(depth: Int, closing: UInt8) throws(JSONSyntaxError) -> Bool {
            guard depth <= JSONReader.maximumDepth else { throw error("nested too deeply") }
            offset += 1
            skipWhitespace()
            guard current == closing else { return false }
            offset += 1
            return true
        }

        mutating func object(depth: Int) throws(JSONSyntaxError) -> TemplateValue {
            var members: [String: TemplateValue] = [:]
            if try enter(depth: depth, closing: UInt8(ascii: "}")) { return .object(members) }
            while true {
                skipWhitespace()
                guard current == UInt8(ascii: "\"") else { throw error("expected a quoted key") }
                let key = try string()
                skipWhitespace()
                guard current == UInt8(ascii: ":") else { throw error("expected ':' after a key") }
                offset += 1
                skipWhitespace()
                members[key] = try value(depth: depth)
                skipWhitespace()
                switch current {
                case UInt8(ascii: ","): offset += 1
                case UInt8(ascii: "}"): offset += 1; return .object(members)
                default: throw error("expected ',' or '}' in an object")
                }
            }
        }

        mutating func list(depth: Int) throws(JSONSyntaxError) -> TemplateValue {
            var items: [TemplateValue] = []
            if try enter(depth: depth, closing: UInt8(ascii: "]")) { return .list(items) }
            while true {
                skipWhitespace()
                items.append(try value(depth: depth))
                skipWhitespace()
                switch current {
                case UInt8(ascii: ","): offset += 1
                case UInt8(ascii: "]"): offset += 1; return .list(items)
                default: throw error("expected ',' or ']' in an array")
                }
            }
        }

        /// A string at `offset` (its opening quote); text without escapes is taken whole.
        mutating func string() throws(JSONSyntaxError) -> String {
            offset += 1
            let start = offset
            while let byte = current, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\") {
                guard byte >= 0x20 else { throw error("control character in a string") }
                offset += 1
            }
            guard let stop = current else { throw error("unterminated string") }
            if stop == UInt8(ascii: "\"") {
                defer { offset += 1 }
                return try validated(UnsafeBufferPointer(rebasing: bytes[start..<offset]))
            }
            var text = Array(bytes[start..<offset])
            try unescape(into: &text)
            offset += 1
            return try text.withUnsafeBufferPointer { buffer throws(JSONSyntaxError) in try validated(buffer) }
        }

        /// The text of `utf8`, which must be valid UTF-8; ASCII, the usual case, needs no check.
        func validated(_ utf8: UnsafeBufferPointer<UInt8>) throws(JSONSyntaxError) -> String {
            if utf8.allSatisfy({ $0 < 0x80 }) { return String(decoding: utf8, as: UTF8.self) }
            guard let string = String(validating: utf8, as: UTF8.self) else { throw error("invalid UTF-8 in a string") }
            return string
        }

        /// Reads the rest of a string that has escapes, up to (not past) its closing quote.
        mutating func unescape(into text: inout [UInt8]) throws(JSONSyntaxError) {
            while let byte = current, byte != UInt8(ascii: "\"") {
                guard byte >= 0x20 else { throw error("control character in a string") }
                offset += 1
                guard byte == UInt8(ascii: "\\") else {
                    text.append(byte)
                    continue
                }
                guard let escaped = current else { break }
                offset += 1
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): text.append(escaped)
                case UInt8(ascii: "b"): text.append(0x08)
                case UInt8(ascii: "f"): text.append(0x0C)
                case UInt8(ascii: "n"): text.append(0x0A)
                case UInt8(ascii: "r"): text.append(0x0D)
                case UInt8(ascii: "t"): text.append(0x09)
                case UInt8(ascii: "u"): text.append(contentsOf: String(try unicodeScalar()).utf8)
                default: throw error("invalid escape in a string")
                }
            }
            guard current != nil else { throw error("unterminated string") }
        }

        /// The scalar of a `\u` escape (after the `u`), joining a surrogate pair.
        mutating func unicodeScalar() throws(JSONSyntaxError) -> Unicode.Scalar {
            let unit = try hexUnit()
            if (0xD800..<0xDC00).contains(unit) {
                guard offset + 2 <= bytes.count, bytes[offset] == UInt8(ascii: "\\"), bytes[offset + 1] == UInt8(ascii: "u") else {
                    throw error("unpaired surrogate in a string")
                }
                offset += 2
                let low = try hexUnit()
                guard (0xDC00..<0xE000).contains(low) else { throw error("unpaired surrogate in a string") }
                return Unicode.Scalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))!
            }
            guard let scalar = Unicode.Scalar(unit) else { throw error("unpaired surrogate in a string") }
            return scalar
        }

        mutating func hexUnit() throws(JSONSyntaxError) -> UInt32 {
            guard offset + 4 <= bytes.count else { throw error("invalid \\u escape") }
            var unit: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[offset]
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: throw error("invalid \\u escape")
                }
                unit = unit << 4 | UInt32(digit)
                offset += 1
            }
            return unit
        }

        /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
        mutating func number() throws(JSONSyntaxError) -> TemplateValue {
            let start = offset
            if current == UInt8(ascii: "-") { offset += 1 }
            if current == UInt8(ascii: "0") {
                offset += 1
            } else {
                guard digits() > 0 else { throw error("invalid number") }
            }
            if current == UInt8(ascii: ".") {
                offset += 1
                guard digits() > 0 else { throw error("invalid number") }
            }
            if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
                offset += 1
                if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { offset += 1 }
                guard digits() > 0 else { throw error("invalid number") }
            }
            let literal = String(decoding: bytes[start..<offset], as: UTF8.self)
            guard let number = Double(literal), number.isFinite else { throw error("number out of range") }
            return Self.significantDigits(bytes[start..<offset]) > 15 ? .string(literal) : .number(number)
        }

        /// The digits of a number's mantissa without leading zeros: a `Double` keeps 15 exactly.
        static func significantDigits(_ literal: some Sequence<UInt8>) -> Int {
            var count = 0
            for byte in literal {
                if byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") { break }
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { continue }
                if count > 0 || byte != UInt8(ascii: "0") { count += 1 }
            }
            return count
        }

        mutating func digits() -> Int {
            let start = offset
            while let byte = current, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") { offset += 1 }
            return offset - start
        }
    }
}

/// Text that is not JSON, with the byte offset where reading stopped.
public struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public var offset: Int
    public var reason: String

    public var description: String { "\(reason) at byte \(offset)" }
}
