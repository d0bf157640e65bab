import Foundation
import HeraldCore

// How values are stored, shared by every backend: millisecond timestamps, a notice's JSON columns,
// an incident as one JSON document, and the per-channel tally `herald status` shows.

/// Millisecond timestamps, as the schemas store them.
extension Date {
    var millis: Int64 { Int64((timeIntervalSince1970 * 1000).rounded()) }
    init(millis: Int64) { self.init(timeIntervalSince1970: Double(millis) / 1000) }
}

/// Hands a non-`Sendable` value that the caller gave up (`sending`) to the one place that uses it
/// (SQLite's writer queue, a PostgreSQL transaction).
struct Transfer<Value>: @unchecked Sendable {
    let value: Value
}

/// A notice as the stores write it, its JSON columns encoded by the caller before the writer is reached.
struct NoticeRow: Sendable {
    let notice: Notice
    let vars: String
    let route: String

    init(_ notice: Notice) {
        self.notice = notice
        vars = TemplateValue.object(notice.vars).jsonText
        route = TemplateValue.list(notice.route.map(TemplateValue.string)).jsonText
    }

    /// A notice read back from its columns.
    static func notice(
        id: String, kind: String, template: String, vars: String, locale: String?, route: String, priority: Int,
        collapseKey: String?, expiresAt: Int64, incidentID: String?, createdAt: Int64
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
            createdAt: Date(millis: createdAt)
        )
    }
}

/// A message row as both backends read it.
enum StoredMessage {
    /// The columns, in the order each backend's `message(from:offset:)` decodes them by position
    /// (a lookup by name scans the columns, and claims decode hundreds of rows at a time).
    static let columns = """
        id, notice_id, recipient_id, name, locale, email, phone, webhook, segments, state, route_index, attempts,
        failures, channel_since, last_error, created_at, channel, next_attempt_at, expires_at
        """
}

/// An incident stored whole as JSON, so its timeline and notices change in one write.
enum IncidentDocument {
    static func encode(_ incident: Incident) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        encoder.dateEncodingStrategy = .millisecondsSince1970
        return String(decoding: try encoder.encode(incident), as: UTF8.self)
    }

    static func decode(_ document: String) throws -> Incident {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .millisecondsSince1970
        return try decoder.decode(Incident.self, from: Data(document.utf8))
    }
}

extension ChannelSummary {
    /// Builds `channelSummaries()` from saved circuits and message counts by channel and state.
    struct Tally {
        private var summaries: [String: ChannelSummary] = [:]

        mutating func circuit(of channel: String, is state: String) {
            summaries[channel, default: .empty(channel)].circuit = CircuitBreaker.State(rawValue: state) ?? .closed
        }

        /// Counts `n` messages whose last attempt was on `channel` and that are now in `state`.
        mutating func count(_ n: Int, of channel: String, in state: String) {
            switch state {
            case "delivered": summaries[channel, default: .empty(channel)].delivered += n
            case "failed": summaries[channel, default: .empty(channel)].failed += n
            default: summaries[channel, default: .empty(channel)].queued += n
            }
        }

        var sorted: [ChannelSummary] { summaries.values.sorted { $0.name < $1.name } }
    }

    private static func empty(_ name: String) -> ChannelSummary { ChannelSummary(name: name, circuit: .closed, delivered: 0, failed: 0) }
}
