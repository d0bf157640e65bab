import Foundation
import Synchronization

/// Words and times in the language of the message: what templates get besides the raw values, so a
/// Korean notice says "복구 중" rather than "recovering", and a time is in the notice's time zone.
///
/// Added at render time for the message's locale, next to the raw value they come from:
/// - `status_text` beside every `status`: at the top level, and in `incident.services[]` and
///   `incident.changes[]`; service statuses (`recovering`, or several as `restored / recovering`) in
///   the locale's words, any other text as it is;
/// - `incident.updated_at_text`: `incident.updated_at` in the incident's `time_zone` (else UTC), e.g. `2 Dec 2026, 18:50 GMT+9` or `2026년 12월 2일 오후 6시 50분 (GMT+9)`.
enum LocalizedValues {
    /// `members` with the localized values for `locale` added.
    static func decorate(_ members: inout [String: TemplateValue], locale: String) {
        if case .string(let status)? = members["status"] {
            members["status_text"] = .string(statusText(status, locale: locale) ?? status)
        }
        guard case .object(var incident)? = members["incident"] else { return }
        for key in ["services", "changes"] {
            guard case .list(let entries)? = incident[key] else { continue }
            incident[key] = .list(entries.map { entry in
                guard case .object(var fields) = entry, case .string(let status)? = fields["status"], let text = statusText(status, locale: locale) else { return entry }
                fields["status_text"] = .string(text)
                return .object(fields)
            })
        }
        let zone = incident["time_zone"].flatMap { if case .string(let id) = $0 { TimeZone(identifier: id) } else { nil } } ?? .gmt
        if case .string(let stamp)? = incident["updated_at"], let date = try? Date(stamp, strategy: .iso8601) {
            incident["updated_at_text"] = .string(time(date, locale: locale, timeZone: zone))
        }
        members["incident"] = .object(incident)
    }

    /// A service status (or several joined by ` / `) in `locale`'s words; `nil` when it is not one.
    static func statusText(_ status: String, locale: String) -> String? {
        let words = status.components(separatedBy: " / ").map { Incident.ServiceStatus(rawValue: $0) }
        guard !words.isEmpty, !words.contains(nil) else { return nil }
        return words.compactMap { $0.map { word($0, locale: locale) } }.joined(separator: " / ")
    }

    static func word(_ status: Incident.ServiceStatus, locale: String) -> String {
        switch (language(locale), status) {
        case ("ko", .outage): "장애"
        case ("ko", .degraded): "일부 기능 장애"
        case ("ko", .recovering): "복구 중"
        case ("ko", .restored): "정상화"
        case (_, .outage): "down"
        case (_, .degraded): "partly working"
        case (_, .recovering): "recovering"
        case (_, .restored): "working again"
        }
    }

    /// `date` as a reader of `locale` writes it, in `timeZone`, with the zone named.
    static func time(_ date: Date, locale: String, timeZone: TimeZone) -> String {
        let key = "\(language(locale)) \(timeZone.identifier)"
        return formatters.withLock { cache in
            if let formatter = cache[key] { return formatter.string(from: date) }
            let formatter = DateFormatter()
            if language(locale) == "ko" {
                formatter.locale = Locale(identifier: "ko_KR")
                formatter.dateFormat = "yyyy년 M월 d일 a h시 mm분 (zzz)"
            } else {
                formatter.locale = Locale(identifier: "en_US_POSIX")
                formatter.dateFormat = "d MMM yyyy, HH:mm zzz"
            }
            formatter.timeZone = timeZone
            cache[key] = formatter
            return formatter.string(from: date)
        }
    }

    /// `ko` of `ko-KR`.
    private static func language(_ locale: String) -> String {
        String(locale.prefix { $0 != "-" && $0 != "_" }).lowercased()
    }

    /// One formatter per language and zone, used only under the lock.
    private static let formatters = Mutex<[String: DateFormatter]>([:])
}
