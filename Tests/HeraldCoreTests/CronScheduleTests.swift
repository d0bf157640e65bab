import Foundation
import HeraldCore
import Testing

@Suite("Cron schedules")
struct CronScheduleTests {
    /// `2026-11-26 10:07` in `zone`.
    func date(_ text: String, zone: String = "UTC") -> Date {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: zone)
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return formatter.date(from: text)!
    }

    @Test(arguments: [
        ("*/15 * * * *", "2026-11-26 10:07", "2026-11-26 10:15"),
        ("0 * * * *", "2026-11-26 10:00", "2026-11-26 11:00"),
        ("5,35 9-10 * * *", "2026-11-26 10:35", "2026-11-27 09:05"),
        ("0 9-18/3 * * 1-5", "2026-11-26 18:01", "2026-11-27 09:00"),  // Thursday → Friday
        ("0 9-18/3 * * 1-5", "2026-11-27 18:00", "2026-11-30 09:00"),  // Friday → Monday
        ("0 0 1 * 0", "2026-11-26 00:00", "2026-11-29 00:00"),  // day 1 OR Sunday: Sunday the 29th comes first
        ("0 12 * 2 7", "2026-11-26 00:00", "2027-02-07 12:00"),  // 7 is Sunday too
        ("10/20 * * * *", "2026-11-26 10:31", "2026-11-26 10:50"),
    ])
    func nextFireInUTC(expression: String, after: String, expected: String) throws {
        #expect(try CronSchedule(expression).next(after: date(after)) == date(expected))
    }

    @Test func aTimeZonePrefixOrSettingShiftsTheSchedule() throws {
        let seoul = try CronSchedule("TZ=Asia/Seoul 0 9 * * *")
        #expect(seoul.next(after: date("2026-11-26 10:00", zone: "Asia/Seoul")) == date("2026-11-27 09:00", zone: "Asia/Seoul"))
        #expect(seoul.next(after: date("2026-11-26 23:00")) == date("2026-11-27 00:00"), "09:00 KST is 00:00 UTC")
        let setting = try CronSchedule("0 9 * * *", timeZone: "Asia/Seoul")
        #expect(setting.next(after: date("2026-11-26 23:00")) == date("2026-11-27 00:00"))
    }

    @Test func aLocalTimeSkippedByDSTDoesNotFireAndARepeatedOneFiresOnce() throws {
        let springForward = try CronSchedule("TZ=America/New_York 30 2 * * *")
        // 2026-03-08 02:30 does not exist in New York; the next 02:30 is on the 9th (06:30 UTC, EDT).
        #expect(springForward.next(after: date("2026-03-08 00:00", zone: "America/New_York")) == date("2026-03-09 06:30"))
        let fallBack = try CronSchedule("TZ=America/New_York 30 1 * * *")
        // 2026-11-01 01:30 happens twice (05:30 UTC in EDT, 06:30 UTC in EST): it fires at the first only.
        let first = try #require(fallBack.next(after: date("2026-11-01 00:00", zone: "America/New_York")))
        #expect(first == date("2026-11-01 05:30"))
        #expect(fallBack.next(after: first) == date("2026-11-02 06:30"))
    }

    @Test func aScheduleThatNeverMatchesHasNoNextFire() throws {
        #expect(try CronSchedule("0 0 31 2 *").next(after: date("2026-11-26 00:00")) == nil)
    }

    @Test(arguments: [
        ("0 * * *", "schedule: expected 5 fields"),
        ("60 * * * *", "minute: '60' is outside 0-59"),
        ("0 24 * * *", "hour: '24' is outside 0-23"),
        ("0 0 0 * *", "day of month: '0' is outside 1-31"),
        ("0 0 * 13 *", "month: '13' is outside 1-12"),
        ("0 0 * * 8", "day of week: '8' is outside 0-7"),
        ("*/0 * * * *", "minute: '*/0': the step must be a positive number"),
        ("5-1 * * * *", "minute: '5-1': the range runs backwards"),
        ("TZ=Mars/Olympus 0 * * * *", "time zone: unknown time zone 'Mars/Olympus'"),
    ])
    func badSchedulesNameTheField(expression: String, message: String) {
        #expect {
            _ = try CronSchedule(expression)
        } throws: { error in
            "\(error)".hasPrefix(message)
        }
    }
}
