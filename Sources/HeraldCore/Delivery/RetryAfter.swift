import Foundation

/// Parses a `Retry-After` value: delay seconds (`120`) or an HTTP-date (`Wed, 21 Oct 2026 07:28:00 GMT`).
public enum RetryAfter {
    /// The delay the header asks for, measured from `now`; `nil` when absent or unparsable. Dates in the past give zero.
    public static func parse(_ value: String?, now: Date) -> Duration? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if let seconds = Int(value), seconds >= 0 { return .seconds(seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        for format in ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: value) {
                return .milliseconds(max(0, Int64((date.timeIntervalSince(now) * 1000).rounded())))
            }
        }
        return nil
    }
}
