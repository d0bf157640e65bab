import Foundation

/// Time-ordered unique ids (a prefix, then 48 bits of milliseconds and 80 random bits in Crockford base32),
/// so ids sort by creation and are safe in Message-ID headers, file names and URLs.
///
/// ```swift
/// Identifier.make(prefix: "msg")  // "msg_01jd7y0c3m8d6k4v9q2w5x7z1a"
/// ```
public enum Identifier {
    private static let alphabet = Array("0123456789abcdefghjkmnpqrstvwxyz".utf8)

    /// A new id with the given prefix (`msg`, `bc`, ...).
    public static func make(prefix: String, at date: Date = Date()) -> String {
        var generator = SystemRandomNumberGenerator()
        return make(prefix: prefix, at: date, using: &generator)
    }

    /// A new id drawing its random part from `generator`.
    public static func make(prefix: String, at date: Date, using generator: inout some RandomNumberGenerator) -> String {
        let millis = UInt64(max(0, date.timeIntervalSince1970 * 1000))
        var bytes = [UInt8](repeating: 0, count: prefix.utf8.count + 1 + 26)
        var index = 0
        for byte in prefix.utf8 {
            bytes[index] = byte
            index += 1
        }
        bytes[index] = UInt8(ascii: "_")
        index += 1
        for shift in stride(from: 45, through: 0, by: -5) {
            bytes[index] = alphabet[Int((millis >> UInt64(shift)) & 31)]
            index += 1
        }
        var random = generator.next() as UInt64
        var more = generator.next() as UInt64
        for position in 0..<16 {
            if position == 12 { random = more; more = 0 }
            bytes[index] = alphabet[Int(random & 31)]
            random >>= 5
            index += 1
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
