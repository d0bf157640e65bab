import Foundation

/// An outage as operators track it: affected services with their status, and a timeline of updates.
public struct Incident: Sendable, Hashable, Codable {
    /// The longest title accepted, in characters.
    public static let maximumTitleLength = 200

    /// How one affected service is doing.
    public enum ServiceStatus: String, Sendable, Hashable, Codable, CaseIterable {
        case outage, degraded, recovering, restored
    }

    public enum State: String, Sendable, Hashable, Codable { case open, resolved }

    /// One affected service.
    public struct Service: Sendable, Hashable, Codable {
        public var name: String
        public var status: ServiceStatus

        public init(name: String, status: ServiceStatus) {
            self.name = name
            self.status = status
        }
    }

    /// One entry of the timeline: what changed, when, and what operators said.
    public struct Update: Sendable, Hashable, Codable {
        public var at: Date
        public var note: String?
        public var changes: [Service]
        /// The broadcast `--notify` queued for this update.
        public var broadcastID: String?

        public init(at: Date, note: String?, changes: [Service], broadcastID: String? = nil) {
            self.at = at
            self.note = note
            self.changes = changes
            self.broadcastID = broadcastID
        }

        enum CodingKeys: String, CodingKey {
            case at, note, changes
            case broadcastID = "broadcast_id"
        }
    }

    public var id: String
    public var title: String
    public var state: State
    /// Services in the order they were first named.
    public var services: [Service]
    /// Who notifications go to: a segment of the stored recipients, or everyone when `nil`.
    public var segment: String?
    public var updates: [Update]
    public var openedAt: Date
    public var resolvedAt: Date?

    public init(id: String, title: String, services: [Service], segment: String?, note: String?, openedAt: Date) {
        self.id = id
        self.title = title
        self.state = .open
        self.services = services
        self.segment = segment
        self.updates = [Update(at: openedAt, note: note, changes: services)]
        self.openedAt = openedAt
        self.resolvedAt = nil
    }

    enum CodingKeys: String, CodingKey {
        case id, title, state, services, segment, updates
        case openedAt = "opened_at"
        case resolvedAt = "resolved_at"
    }

    /// Applies status changes (adding services not seen before) and appends them to the timeline.
    public mutating func apply(_ changes: [Service], note: String?, at: Date) {
        for change in changes {
            if let index = services.firstIndex(where: { $0.name == change.name }) {
                services[index].status = change.status
            } else {
                services.append(change)
            }
        }
        updates.append(Update(at: at, note: note, changes: changes))
    }

    /// Marks every service restored and the incident resolved.
    public mutating func resolve(note: String?, at: Date) {
        let restored = services.filter { $0.status != .restored }.map { Service(name: $0.name, status: .restored) }
        apply(restored, note: note, at: at)
        state = .resolved
        resolvedAt = at
    }

    /// The latest note on the timeline.
    public var latestNote: String? { updates.last(where: { $0.note != nil })?.note }

    /// What templates see as `{{incident.*}}`: id, title, state, services (name, status, and
    /// `note` — the latest note), plus `updated_at`.
    /// What templates see as `{{incident.*}}`: `id`, `title`, `state`, `open` and `all_restored`
    /// (booleans for sections), `services` and `changes` (the last update's) as `[{name, status}]`,
    /// `note`, `updated_at` (UTC, ISO 8601) and `time_zone`, in which `updated_at_text` is shown
    /// (`LocalizedValues` adds it, and `status_text`, for the message's locale).
    /// - Parameter timeZone: the zone readers' times are in (a digest's, else `timezone:` of the config).
    public func templateValue(timeZone: TimeZone?) -> TemplateValue {
        func list(_ services: [Service]) -> TemplateValue {
            .list(services.map { .object(["name": .string($0.name), "status": .string($0.status.rawValue)]) })
        }
        var fields: [String: TemplateValue] = [
            "id": .string(id), "title": .string(title), "state": .string(state.rawValue), "open": .bool(state == .open),
            "all_restored": .bool(services.allSatisfy { $0.status == .restored }),
            "services": list(services), "changes": list(updates.last?.changes ?? services),
            "note": .string(latestNote ?? ""),
            "updated_at": .string((updates.last?.at ?? openedAt).formatted(.iso8601)),
        ]
        if let timeZone { fields["time_zone"] = .string(timeZone.identifier) }
        return .object(fields)
    }

    /// Parses `NAME=STATUS` (`--service Messenger=outage`).
    public static func parseService(_ text: String) -> Result<Service, IncidentInputError> {
        let parts = text.split(separator: "=", maxSplits: 1).map { String($0).trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, !parts[0].isEmpty else { return .failure(IncidentInputError(text: text, reason: "expected NAME=STATUS")) }
        guard let status = ServiceStatus(rawValue: parts[1].lowercased()) else {
            return .failure(
                IncidentInputError(text: text, reason: "unknown status '\(parts[1])' (expected \(ServiceStatus.allCases.map(\.rawValue).joined(separator: ", ")))")
            )
        }
        return .success(Service(name: parts[0], status: status))
    }
}

/// A `--service` value that does not read as `NAME=STATUS`.
public struct IncidentInputError: Error, Sendable, Hashable, CustomStringConvertible {
    public var text: String
    public var reason: String
    public var description: String { "'\(text)': \(reason)" }
}
