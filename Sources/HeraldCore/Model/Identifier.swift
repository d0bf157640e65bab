import Foundation

/// Time-ordered unique ids: a prefix, then 48 bits of milliseconds and 80 random bits in Crockford
/// base32 (a ULID in lower case), so ids sort by creation and are safe in Message-ID headers, file
/// names and URLs.
///
/// ```swift
/// Identifier.make(prefix: "msg")  // "msg_01jd7y0c3m8d6k4v9q2w5x7z1a"
/// ```
public enum Identifier {
    static let alphabet = Array("0123456789abcdefghjkmnpqrstvwxyz".utf8)

    /// A new id with the given prefix (`msg`, `bc`, ...).
    public static func make(prefix: String, at date: Date = Date()) -> String {
        var generator = BufferedRandomNumberGenerator()
        return encode(prefix: prefix, millis: millis(date), high: UInt16.random(in: .min ... .max, using: &generator), low: generator.next())
    }

    static func millis(_ date: Date) -> UInt64 { UInt64(max(0, date.timeIntervalSince1970 * 1000)) }

    /// `prefix_` + 10 characters of time + 16 characters of the 80-bit `high:low` number.
    static func encode(prefix: String, millis: UInt64, high: UInt16, low: UInt64) -> String {
        var bytes = Array(prefix.utf8)
        bytes.reserveCapacity(bytes.count + 27)
        bytes.append(UInt8(ascii: "_"))
        for shift in stride(from: 45, through: 0, by: -5) { bytes.append(alphabet[Int((millis >> UInt64(shift)) & 31)]) }
        // 80 bits = the 16 high bits, then the 64 low bits, 5 bits per character, most significant first.
        for index in 0..<16 {
            let bit = 75 - index * 5  // position of this character's lowest bit
            let value: UInt64
            if bit >= 64 {
                value = UInt64(high) >> UInt64(bit - 64)
            } else if bit > 59 {
                value = (UInt64(high) << UInt64(64 - bit)) | (low >> UInt64(bit))
            } else {
                value = low >> UInt64(bit)
            }
            bytes.append(alphabet[Int(value & 31)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Ids for the many messages of one broadcast: one random starting point, then counting up, so they
/// stay unique and unguessable from outside yet land in order in the store's index (random ids
/// scatter a million inserts across the whole B-tree).
public struct IdentifierSequence {
    private let prefix: String
    private let millis: UInt64
    private var high: UInt16
    private var low: UInt64

    public init(prefix: String, at date: Date) {
        var generator = BufferedRandomNumberGenerator()
        self.prefix = prefix
        self.millis = Identifier.millis(date)
        self.high = UInt16.random(in: .min ... .max, using: &generator)
        // Leave room to count up without carrying into `high` for any realistic audience.
        self.low = generator.next() >> 1
    }

    /// The next id.
    public mutating func next() -> String {
        let (sum, overflow) = low.addingReportingOverflow(1)
        low = sum
        if overflow { high &+= 1 }
        return Identifier.encode(prefix: prefix, millis: millis, high: high, low: low)
    }
}
