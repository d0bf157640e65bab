/// Normalises phone numbers to E.164 (`+821012345678`), reading national numbers with a default region.
///
/// ```swift
/// try PhoneNumber.normalize("010-1234-5678", defaultRegion: "KR")   // "+821012345678"
/// try PhoneNumber.normalize("+1 (555) 010-0100", defaultRegion: nil) // "+15550100100"
/// ```
public enum PhoneNumber {
    /// What Herald knows of a region's numbering plan.
    public struct Region: Sendable {
        public var code: String
        public var countryCode: String
        /// Digits of the national significant number (after the country code, without the trunk prefix).
        public var lengths: ClosedRange<Int>
        /// The national trunk prefix dropped when a national number is written in full (`0` in KR).
        public var trunkPrefix: String?
        /// Digits a national significant number may not start with.
        public var invalidLeadingDigits: Set<Character>
    }

    /// The regions `default_region` accepts.
    public static let regions: [String: Region] = [
        "KR": Region(code: "KR", countryCode: "82", lengths: 8...10, trunkPrefix: "0", invalidLeadingDigits: ["0"]),
        "US": Region(code: "US", countryCode: "1", lengths: 10...10, trunkPrefix: "1", invalidLeadingDigits: ["0", "1"]),
        "CA": Region(code: "CA", countryCode: "1", lengths: 10...10, trunkPrefix: "1", invalidLeadingDigits: ["0", "1"]),
        "GB": Region(code: "GB", countryCode: "44", lengths: 9...10, trunkPrefix: "0", invalidLeadingDigits: ["0"]),
        "JP": Region(code: "JP", countryCode: "81", lengths: 9...10, trunkPrefix: "0", invalidLeadingDigits: ["0"]),
        "DE": Region(code: "DE", countryCode: "49", lengths: 6...13, trunkPrefix: "0", invalidLeadingDigits: ["0"]),
        "FR": Region(code: "FR", countryCode: "33", lengths: 9...9, trunkPrefix: "0", invalidLeadingDigits: ["0"]),
    ]

    /// Why a number was refused.
    public struct Invalid: Error, Sendable, Equatable, CustomStringConvertible {
        public var number: String
        public var reason: String
        public var description: String { "'\(number)' is not a valid phone number: \(reason)" }
    }

    /// The E.164 form of `input`.
    /// - Parameter defaultRegion: the region for numbers written without `+` (a channel's `default_region`).
    /// - Throws: `Invalid` with the reason.
    public static func normalize(_ input: String, defaultRegion: String?) throws(Invalid) -> String {
        let allowed = Set("+0123456789 ()-./")
        if let bad = input.first(where: { !allowed.contains($0) }) {
            throw Invalid(number: input, reason: "'\(bad)' is not allowed; use digits, +, spaces, (, ), - and .")
        }
        let trimmed = input.trimmingLeadingSpaces
        var digits = input.filter(\.isNumber)
        var international = trimmed.hasPrefix("+")
        if !international, digits.hasPrefix("00") {
            international = true
            digits.removeFirst(2)
        }
        if trimmed.dropFirst().contains("+") { throw Invalid(number: input, reason: "a + may only start the number") }
        guard !digits.isEmpty else { throw Invalid(number: input, reason: "it has no digits") }

        if international {
            guard (8...15).contains(digits.count) else {
                throw Invalid(number: input, reason: "E.164 numbers have 8 to 15 digits including the country code, this one has \(digits.count)")
            }
            // Regions sharing a country code (US and CA) share their rules; prefer the default region's name.
            let matching = regions.values.filter { digits.hasPrefix($0.countryCode) }.sorted { $0.code < $1.code }
            if let region = matching.first(where: { $0.code == defaultRegion?.uppercased() }) ?? matching.first {
                try check(String(digits.dropFirst(region.countryCode.count)), region: region, input: input)
            }
            return "+" + digits
        }

        guard let code = defaultRegion?.uppercased() else {
            throw Invalid(number: input, reason: "a national number needs the channel's default_region, or write it as +<country code>…")
        }
        guard let region = regions[code] else {
            throw Invalid(number: input, reason: "unknown region '\(code)' (known: \(regions.keys.sorted().joined(separator: ", ")))")
        }
        var national = digits
        // National numbers are written with the trunk prefix (010-… in Korea, 1-555-… in the US): drop it.
        if let trunk = region.trunkPrefix, national.hasPrefix(trunk), national.count - trunk.count >= region.lengths.lowerBound {
            national.removeFirst(trunk.count)
        }
        try check(national, region: region, input: input)
        return "+" + region.countryCode + national
    }

    private static func check(_ national: String, region: Region, input: String) throws(Invalid) {
        guard region.lengths.contains(national.count) else {
            let expected = region.lengths.count == 1 ? "\(region.lengths.lowerBound)" : "\(region.lengths.lowerBound) to \(region.lengths.upperBound)"
            throw Invalid(number: input, reason: "\(region.code) numbers have \(expected) digits after +\(region.countryCode) and the trunk prefix, this one has \(national.count)")
        }
        if let first = national.first, region.invalidLeadingDigits.contains(first) {
            throw Invalid(number: input, reason: "\(region.code) numbers cannot start with \(first) after +\(region.countryCode)")
        }
    }
}

extension String {
    var trimmingLeadingSpaces: Substring { drop(while: { $0 == " " }) }
}
