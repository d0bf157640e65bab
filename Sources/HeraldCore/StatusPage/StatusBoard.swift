import Foundation

/// What the public status page shows, built from the incidents alone: each listed service's status
/// now, the open incidents with their timelines, and the incidents resolved in the last 14 days.
/// Never a recipient, a token or a message. `/status.json` is this, encoded.
public struct StatusBoard: Sendable, Hashable, Encodable {
    /// A service as the page lists it: `operational`, or the worst status an open incident gives it.
    public struct ServiceRow: Sendable, Hashable, Encodable {
        public var name: String
        public var status: String
    }

    /// An incident as the page shows it.
    public struct Entry: Sendable, Hashable, Encodable {
        public var id: String
        public var title: String
        public var state: String
        public var services: [ServiceRow]
        public var updates: [Update]
        public var openedAt: Date
        public var resolvedAt: Date?

        /// One step of the timeline: when, what it said, which services changed to what.
        public struct Update: Sendable, Hashable, Encodable {
            public var at: Date
            public var note: String?
            public var changes: [ServiceRow]
        }

        enum CodingKeys: String, CodingKey {
            case id, title, state, services, updates
            case openedAt = "opened_at"
            case resolvedAt = "resolved_at"
        }
    }

    public var title: String
    public var services: [ServiceRow]
    public var open: [Entry]
    public var resolved: [Entry]
    /// The latest change among the incidents shown; `nil` when none is. It comes from the incidents, not
    /// the clock, so an unchanged page keeps its `ETag`.
    public var updatedAt: Date?

    enum CodingKeys: String, CodingKey {
        case title, services, open, resolved
        case updatedAt = "updated_at"
    }

    /// How long a resolved incident stays on the page.
    public static let resolvedWindow: TimeInterval = 14 * 86_400

    /// The board for `settings` from every incident the store has (open and resolved), as of `now`.
    public init(settings: StatusPageSettings, incidents: [Incident], now: Date) {
        title = settings.title
        let open = incidents.filter { $0.state == .open }.sorted { $0.openedAt > $1.openedAt }
        var worst: [String: Incident.ServiceStatus] = [:]
        for incident in open {
            for service in incident.services where service.status != .restored {
                let key = service.name.lowercased()
                if worst[key].map({ Self.severity($0) < Self.severity(service.status) }) ?? true { worst[key] = service.status }
            }
        }
        services = settings.services.map { ServiceRow(name: $0, status: worst[$0.lowercased()]?.rawValue ?? "operational") }
        self.open = open.map(Self.entry)
        resolved = incidents.filter { $0.state == .resolved && now.timeIntervalSince($0.resolvedAt ?? $0.openedAt) <= Self.resolvedWindow }
            .sorted { ($0.resolvedAt ?? $0.openedAt) > ($1.resolvedAt ?? $1.openedAt) }.map(Self.entry)
        updatedAt = (self.open + resolved).compactMap { $0.updates.first?.at }.max()
    }

    /// `/status.json`: sorted keys, ISO 8601 times.
    public func json() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return Array(try encoder.encode(self))
    }

    /// The incident with `id`, when the page shows it.
    public func entry(id: String) -> Entry? {
        (open + resolved).first { $0.id == id }
    }

    private static func entry(_ incident: Incident) -> Entry {
        func rows(_ services: [Incident.Service]) -> [ServiceRow] { services.map { ServiceRow(name: $0.name, status: $0.status.rawValue) } }
        return Entry(
            id: incident.id, title: incident.title, state: incident.state.rawValue, services: rows(incident.services),
            updates: incident.updates.reversed().map { Entry.Update(at: $0.at, note: $0.note, changes: rows($0.changes)) },
            openedAt: incident.openedAt, resolvedAt: incident.resolvedAt
        )
    }

    private static func severity(_ status: Incident.ServiceStatus) -> Int {
        switch status {
        case .restored: 0
        case .recovering: 1
        case .degraded: 2
        case .outage: 3
        }
    }
}

/// `status_page:` in the configuration.
public struct StatusPageSettings: Sendable, Hashable {
    /// The page's heading, e.g. `Example status`.
    public var title: String
    /// The services listed, in display order.
    public var services: [String]
    /// Where the page is written again as static files on every incident change, when set.
    public var exportDir: String?
    /// The segment people who subscribe on the page join, once they confirm; no form when `nil`.
    public var segment: String?

    public init(title: String, services: [String], exportDir: String? = nil, segment: String? = nil) {
        self.title = title
        self.services = services
        self.exportDir = exportDir
        self.segment = segment
    }
}
