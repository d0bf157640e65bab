/// Parses the durations and rates of the config and the CLI: `250ms`, `5s`, `1m`, `2h`, `1d`; `200/s`, `50/m`, `10/h`.
public enum DurationParser {
    /// `"250ms"` → 0.25 s. Returns `nil` for anything else.
    public static func duration(_ text: String) -> Duration? {
        let units: [(String, Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)]
        for (suffix, millis) in units where text.hasSuffix(suffix) {
            let number = text.dropLast(suffix.count)
            guard !number.isEmpty, number.allSatisfy(\.isASCIIDigit), let value = Int64(number) else { continue }
            let (product, overflow) = value.multipliedReportingOverflow(by: millis)
            return overflow ? nil : .milliseconds(product)
        }
        return nil
    }

    /// `"200/s"` → 200 per second. Returns `nil` for anything else, including a zero count.
    public static func rate(_ text: String) -> Rate? {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let count = Int(parts[0]), count > 0 else { return nil }
        let per: Duration
        switch parts[1] {
        case "s": per = .seconds(1)
        case "m": per = .seconds(60)
        case "h": per = .seconds(3600)
        default: return nil
        }
        return Rate(count: count, per: per)
    }

    /// Formats a duration the way the config writes it (`90s` → `1m30s` is not attempted; the largest exact unit wins).
    public static func format(_ duration: Duration) -> String {
        let millis = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        for (suffix, unit) in [("d", Int64(86_400_000)), ("h", 3_600_000), ("m", 60_000), ("s", 1000)] where millis >= unit && millis % unit == 0 {
            return "\(millis / unit)\(suffix)"
        }
        return "\(millis)ms"
    }
}

/// A rate limit: `count` events per `per`.
public struct Rate: Sendable, Hashable {
    public var count: Int
    public var per: Duration

    public init(count: Int, per: Duration) {
        self.count = count
        self.per = per
    }

    /// Events per second.
    public var perSecond: Double {
        Double(count) / (Double(per.components.seconds) + Double(per.components.attoseconds) / 1e18)
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
