import Foundation
import HeraldCore

// How values are stored, shared by every backend: millisecond timestamps, a notice's JSON columns,
// an incident as one JSON document, and the per-channel tally `herald status` shows.

/// Millisecond timestamps, as the schemas store them.
extension Date {
    package var millis: Int64 { Int64((timeIntervalSince1970 * 1000).rounded()) }
    package init(millis: Int64) { self.init(timeIntervalSince1970: Double(millis) / 1000) }
    /// Microseconds since 1970: send slots of a fast channel are under a millisecond apart.
    package var micros: Int64 { Int64((timeIntervalSince1970 * 1_000_000).rounded()) }
    package init(micros: Int64) { self.init(timeIntervalSince1970: Double(micros) / 1_000_000) }
}

/// Hands a non-`Sendable` value that the caller gave up (`sending`) to the one place that uses it
/// (SQLite's writer queue, a PostgreSQL transaction).
package struct Transfer<Value>: @unchecked Sendable {
    package let value: Value

    package init(value: Value) { self.value = value }
}

/// A notice as the stores write it, its JSON columns encoded by the caller before the writer is reached.
package struct NoticeRow: Sendable {
    package let notice: Notice
    package let vars: String
    package let route: String

    package init(_ notice: Notice) {
        self.notice = notice
        vars = TemplateValue.object(notice.vars).jsonText
        route = TemplateValue.list(notice.route.map(TemplateValue.string)).jsonText
    }

    /// A notice read back from its columns.
    package static func notice(
        id: String, kind: String, template: String, vars: String, locale: String?, route: String, priority: Int,
        collapseKey: String?, expiresAt: Int64, incidentID: String?, createdAt: Int64, traceparent: String?
    ) throws -> Notice {
        let decoder = JSONDecoder()
        return Notice(
            id: id,
            kind: Notice.Kind(rawValue: kind) ?? .single,
            template: template,
            vars: try decoder.decode([String: TemplateValue].self, from: Data(vars.utf8)),
            locale: locale,
            route: try decoder.decode([String].self, from: Data(route.utf8)),
            priority: Priority(rank: priority) ?? .normal,
            collapseKey: collapseKey,
            expiresAt: Date(millis: expiresAt),
            incidentID: incidentID,
            createdAt: Date(millis: createdAt),
            traceparent: traceparent
        )
    }
}

/// A message row as both backends read it.
package enum StoredMessage {
    /// The columns, in the order each backend's `message(from:offset:)` decodes them by position
    /// (a lookup by name scans the columns, and claims decode hundreds of rows at a time).
    package static let columns = """
        id, notice_id, recipient_id, name, locale, email, phone, webhook, segments, state, route_index, attempts,
        failures, channel_since, last_error, created_at, channel, next_attempt_at, expires_at
        """
}

/// A recipient's segments as one column, in the messages and the recipients tables alike. `;` is the
/// separator audience files use, so no segment name contains it.
package enum SegmentColumn {
    package static func join(_ segments: [String]) -> String { segments.joined(separator: ";") }
    package static func split(_ column: String) -> [String] { column.split(separator: ";").map(String.init) }
}

/// A value stored whole as JSON: an incident (so its timeline and notices change in one write), a
/// drill's report. Sorted keys, times in milliseconds.
package enum StoredDocument {
    package static func encode(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        encoder.dateEncodingStrategy = .millisecondsSince1970
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    package static func decode<Value: Decodable>(_ document: String, as type: Value.Type) throws -> Value {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .millisecondsSince1970
        return try decoder.decode(type, from: Data(document.utf8))
    }
}

extension ChannelSummary {
    /// Builds `channelSummaries()` from saved circuits and message counts by channel and state.
    package struct Tally {
        private var summaries: [String: ChannelSummary] = [:]

        package init() {}

        package mutating func circuit(of channel: String, is state: String) {
            summaries[channel, default: .empty(channel)].circuit = CircuitBreaker.State(rawValue: state) ?? .closed
        }

        /// Counts `n` messages whose last attempt was on `channel` and that are now in `state`.
        package mutating func count(_ n: Int, of channel: String, in state: String) {
            switch state {
            case "delivered": summaries[channel, default: .empty(channel)].delivered += n
            case "failed": summaries[channel, default: .empty(channel)].failed += n
            default: summaries[channel, default: .empty(channel)].queued += n
            }
        }

        package var sorted: [ChannelSummary] { summaries.values.sorted { $0.name < $1.name } }
    }

    private static func empty(_ name: String) -> ChannelSummary { ChannelSummary(name: name, circuit: .closed, delivered: 0, failed: 0) }
}
