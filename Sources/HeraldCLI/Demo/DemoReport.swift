import HeraldCore
import HeraldStore

/// The per-channel table at the end of `herald demo`.
struct DemoReport {
    struct Row {
        var channel: String
        var delivered = 0
        var failed = 0
        /// Messages that tried or passed over this channel and were delivered on a later one.
        var failedOver = 0
    }

    var rows: [Row]
    var superseded: Int
    var failed: Int { rows.reduce(0) { $0 + $1.failed } }

    static func make(store: any MessageStore, configuration: HeraldConfiguration) async throws -> DemoReport {
        var rows = Dictionary(uniqueKeysWithValues: configuration.channels.map { ($0.name, Row(channel: $0.name)) })
        var superseded = 0
        for detail in try await store.messages(MessageFilter(limit: 100_000)) {
            switch detail.message.state {
            case .superseded: superseded += 1
            case .delivered:
                if let channel = detail.channel { rows[channel]?.delivered += 1 }
                let passed = Set(detail.attemptLog.filter { $0.outcome != .delivered }.map(\.channel))
                for channel in passed where channel != detail.channel { rows[channel]?.failedOver += 1 }
            case .failed, .expired:
                if let channel = detail.channel { rows[channel]?.failed += 1 }
            default: break
            }
        }
        return DemoReport(rows: configuration.channels.compactMap { rows[$0.name] }, superseded: superseded)
    }

    var table: String {
        func pad(_ text: String, _ width: Int) -> String { text + String(repeating: " ", count: max(0, width - text.count)) }
        var lines = ["channel     delivered  failed  failed over to the next channel", "----------  ---------  ------  -------------------------------"]
        for row in rows {
            lines.append(pad(row.channel, 12) + pad("\(row.delivered)", 11) + pad("\(row.failed)", 8) + "\(row.failedOver)")
        }
        lines.append("superseded before sending: \(superseded)")
        return lines.joined(separator: "\n")
    }
}
