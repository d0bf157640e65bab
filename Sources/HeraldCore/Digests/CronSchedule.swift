import Foundation

/// A 5-field cron schedule — minute, hour, day of month, month, day of week — in a time zone.
///
/// Fields take `*`, numbers, ranges `a-b`, steps `*/n` and `a-b/n`, and lists `a,b,c`; day of week
/// is 0–7 with 0 and 7 both Sunday. As in Vixie cron, when both day fields are restricted a day
/// matches if either does. The zone comes from a `TZ=Area/City` prefix or the `timezone:` key
/// (default UTC); local times that a DST change skips do not fire, and repeated ones fire once.
///
/// ```swift
/// let schedule = try CronSchedule("TZ=Asia/Seoul 0 9-18/3 * * 1-5")
/// schedule.next(after: Date())   // the next 09:00, 12:00, 15:00 or 18:00 on a weekday in Seoul
/// ```
public struct CronSchedule: Sendable, Hashable {
    public let expression: String
    public let timeZone: TimeZone
    let minutes: Set<Int>
    let hours: Set<Int>
    let daysOfMonth: Set<Int>
    let months: Set<Int>
    let daysOfWeek: Set<Int>
    let daysOfMonthRestricted: Bool
    let daysOfWeekRestricted: Bool

    /// A field that does not parse.
    public struct Invalid: Error, Sendable, Hashable, CustomStringConvertible {
        public var field: String
        public var reason: String
        public var description: String { "\(field): \(reason)" }
    }

    /// - Parameter timeZone: used when the expression has no `TZ=` prefix.
    public init(_ expression: String, timeZone zoneName: String? = nil) throws(Invalid) {
        var words = expression.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        var name = zoneName ?? "UTC"
        if let first = words.first, first.hasPrefix("TZ=") {
            name = String(first.dropFirst(3))
            words.removeFirst()
        }
        guard let zone = TimeZone(identifier: name) else { throw Invalid(field: "time zone", reason: "unknown time zone '\(name)'") }
        guard words.count == 5 else {
            throw Invalid(field: "schedule", reason: "expected 5 fields (minute hour day-of-month month day-of-week), got \(words.count)")
        }
        self.expression = expression
        self.timeZone = zone
        minutes = try Self.field(words[0], name: "minute", range: 0...59)
        hours = try Self.field(words[1], name: "hour", range: 0...23)
        daysOfMonth = try Self.field(words[2], name: "day of month", range: 1...31)
        months = try Self.field(words[3], name: "month", range: 1...12)
        daysOfWeek = Set(try Self.field(words[4], name: "day of week", range: 0...7).map { $0 % 7 })
        daysOfMonthRestricted = words[2] != "*"
        daysOfWeekRestricted = words[4] != "*"
    }

    /// The first matching minute strictly after `date`, or `nil` if none within five years
    /// (`0 0 31 2 *` never matches).
    public func next(after date: Date) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        guard var candidate = calendar.date(byAdding: .minute, value: 1, to: date),
            let start = calendar.dateInterval(of: .minute, for: candidate)?.start
        else { return nil }
        candidate = start
        let limit = date.addingTimeInterval(5 * 366 * 86_400)
        // When clocks go back an hour, local times repeat: a slot already passed in local time is not a new one.
        let passed = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        let passedKey = [passed.year, passed.month, passed.day, passed.hour, passed.minute].map { $0 ?? 0 }
        while candidate < limit {
            let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .weekday], from: candidate)
            guard let month = parts.month, let day = parts.day, let hour = parts.hour, let minute = parts.minute, let weekday = parts.weekday else {
                return nil
            }
            if !months.contains(month) {
                candidate = startOf(.month, after: candidate, calendar: calendar)
            } else if !dayMatches(day: day, weekday: weekday - 1) {
                candidate = startOf(.day, after: candidate, calendar: calendar)
            } else if !hours.contains(hour) {
                candidate = startOf(.hour, after: candidate, calendar: calendar)
            } else if !minutes.contains(minute) || !passedKey.lexicographicallyPrecedes([parts.year ?? 0, month, day, hour, minute]) {
                candidate = candidate.addingTimeInterval(60)
            } else {
                return candidate
            }
        }
        return nil
    }

    private func dayMatches(day: Int, weekday: Int) -> Bool {
        switch (daysOfMonthRestricted, daysOfWeekRestricted) {
        case (true, true): daysOfMonth.contains(day) || daysOfWeek.contains(weekday)
        case (true, false): daysOfMonth.contains(day)
        case (false, true): daysOfWeek.contains(weekday)
        case (false, false): true
        }
    }

    /// The start of the next `unit` after the one `date` is in.
    private func startOf(_ unit: Calendar.Component, after date: Date, calendar: Calendar) -> Date {
        guard let interval = calendar.dateInterval(of: unit, for: date) else { return date.addingTimeInterval(60) }
        return interval.end
    }

    static func field(_ text: String, name: String, range: ClosedRange<Int>) throws(Invalid) -> Set<Int> {
        var values = Set<Int>()
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let stepParts = item.split(separator: "/", omittingEmptySubsequences: false)
            guard stepParts.count <= 2 else { throw Invalid(field: name, reason: "'\(item)' has more than one /") }
            var step = 1
            if stepParts.count == 2 {
                guard let parsed = Int(stepParts[1]), parsed > 0 else { throw Invalid(field: name, reason: "'\(item)': the step must be a positive number") }
                step = parsed
            }
            let base = stepParts[0]
            var bounds: ClosedRange<Int>
            if base == "*" {
                bounds = range
            } else {
                let ends = base.split(separator: "-", omittingEmptySubsequences: false)
                guard (1...2).contains(ends.count), let low = Int(ends[0]), let high = Int(ends.last!) else {
                    throw Invalid(field: name, reason: "'\(item)' is not a number, range, step or *")
                }
                guard range.contains(low), range.contains(high) else {
                    throw Invalid(field: name, reason: "'\(item)' is outside \(range.lowerBound)-\(range.upperBound)")
                }
                guard low <= high else { throw Invalid(field: name, reason: "'\(item)': the range runs backwards") }
                bounds = low...high
                if ends.count == 1, stepParts.count == 2 { bounds = low...range.upperBound }
            }
            values.formUnion(stride(from: bounds.lowerBound, through: bounds.upperBound, by: step))
        }
        return values
    }
}
