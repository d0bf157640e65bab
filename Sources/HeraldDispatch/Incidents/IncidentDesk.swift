import Foundation
import HeraldCore
import HeraldStore

/// Opens, updates and resolves incidents, and queues their notices.
///
/// A notice for an incident goes to the incident's segment (or every stored recipient) with
/// `{{incident.*}}` in its variables, and carries the collapse key `incident:<id>`: a newer update
/// supersedes every older one a recipient has not been sent yet.
public struct IncidentDesk: Sendable {
    let store: any IncidentLog
    let intake: NoticeIntake
    let clock: any WallClock

    public init(store: any IncidentLog, intake: NoticeIntake, clock: any WallClock) {
        self.store = store
        self.intake = intake.with(source: "incident")
        self.clock = clock
    }

    /// What to queue along with a change.
    public struct Notify: Sendable {
        public var template: String
        public var vars: [String: TemplateValue]
        public var priority: Priority

        public init(template: String, vars: [String: TemplateValue] = [:], priority: Priority = .high) {
            self.template = template
            self.vars = vars
            self.priority = priority
        }
    }

    /// An incident and the broadcast queued with the change, if any.
    public struct Outcome: Sendable {
        public var incident: Incident
        public var broadcast: NoticeIntake.Receipt?
        /// Why the status page could not be exported again (`status_page.export_dir`); the change itself stands.
        public var exportProblem: String?
    }

    public func open(title: String, services: [Incident.Service], segment: String?, note: String?, notify: Notify?) async throws -> Outcome {
        guard !title.trimmingCharacters(in: .whitespaces).isEmpty else { throw IntakeError.invalidField("title", reason: "must not be empty") }
        guard title.count <= Incident.maximumTitleLength else {
            throw IntakeError.invalidField("title", reason: "is longer than \(Incident.maximumTitleLength) characters")
        }
        guard !services.isEmpty else { throw IntakeError.invalidField("services", reason: "name at least one affected service") }
        try Self.checkLengths(services: services, note: note)
        let now = clock.now()
        let incident = Incident(id: Identifier.make(prefix: "inc", at: now), title: title, services: services, segment: segment, note: note, openedAt: now)
        // Check the notice can be queued before anything is saved.
        if let notify { try intake.validate(request(notify, incident: incident, changes: services)) }
        try await store.saveNewIncident(incident)
        var outcome = try await queue(notify, for: incident, changes: services)
        outcome.exportProblem = await exportStatusPage()
        return outcome
    }

    /// Applies status changes and a note; resolving marks every service restored.
    public func update(id: String, services: [Incident.Service], note: String?, resolve: Bool, notify: Notify?) async throws -> Outcome {
        guard let current = try await store.incident(id: id) else { throw IncidentError.notFound(id) }
        guard current.state == .open else { throw IncidentError.alreadyResolved(id) }
        try Self.checkLengths(services: services, note: note)
        let now = clock.now()
        let change: @Sendable (inout Incident) -> Void = { incident in
            if resolve { incident.resolve(note: note, at: now) } else { incident.apply(services, note: note, at: now) }
        }
        // The notice is checked against the changed incident before the change is saved.
        var preview = current
        change(&preview)
        let changes = preview.updates.last?.changes ?? []
        if let notify { try intake.validate(request(notify, incident: preview, changes: changes)) }
        guard let changed = try await store.changeIncident(id: id, change) else { throw IncidentError.notFound(id) }
        var outcome = try await queue(notify, for: changed, changes: changes)
        outcome.exportProblem = await exportStatusPage()
        return outcome
    }

    /// Writes the status page to `status_page.export_dir` again, when it is set.
    /// - Returns: why it failed, if it did; the incident change is saved either way.
    func exportStatusPage() async -> String? {
        let configuration = intake.configuration
        guard let settings = configuration.statusPage, let directory = settings.exportDir else { return nil }
        do {
            let incidents = try await store.incidents(openOnly: false)
            let now = clock.now()
            let export = StatusPageExport(settings: settings, timeZone: configuration.timeZone, subscribeURL: configuration.subscribeURL)
            _ = try await BlockingWork.run { try export.write(incidents: incidents, now: now, to: directory) }
            return nil
        } catch {
            return "\(error)"
        }
    }

    /// Service names are at most 256 characters, a note at most `NoticeRequest.maximumVariableBytes` (it becomes `{{note}}`).
    static func checkLengths(services: [Incident.Service], note: String?) throws(IntakeError) {
        if let long = services.first(where: { $0.name.count > RecipientValidator.maximumFieldLength }) {
            throw .invalidField("services", reason: "service name '\(long.name.prefix(40))…' is longer than \(RecipientValidator.maximumFieldLength) characters")
        }
        if let note, note.utf8.count > NoticeRequest.maximumVariableBytes {
            throw .invalidField("note", reason: "is longer than \(NoticeRequest.maximumVariableBytes / 1024) KiB")
        }
    }

    private func queue(_ notify: Notify?, for incident: Incident, changes: [Incident.Service]) async throws -> Outcome {
        guard let notify else { return Outcome(incident: incident, broadcast: nil) }
        let receipt = try await intake.broadcast(request(notify, incident: incident, changes: changes), segment: incident.segment)
        let saved = try await store.changeIncident(id: incident.id) { incident in
            if !incident.updates.isEmpty { incident.updates[incident.updates.count - 1].broadcastID = receipt.id }
        }
        return Outcome(incident: saved ?? incident, broadcast: receipt)
    }

    /// The notice: the caller's variables, `incident`, `note` (this change's, empty without one), and for the services this change
    /// touched `service` and `status`, so per-service templates such as `status-update` work as they
    /// are. Several services are named together (`Pay, Messenger`) with their common status, or with
    /// each one's status in the same order (`restored / recovering`); `status_text` says it in the
    /// message's language either way.
    func request(_ notify: Notify, incident: Incident, changes: [Incident.Service]) -> NoticeRequest {
        var vars = notify.vars
        if !changes.isEmpty {
            let statuses = changes.map(\.status.rawValue)
            vars["service"] = vars["service"] ?? .string(changes.map(\.name).joined(separator: ", "))
            vars["status"] = vars["status"] ?? .string(Set(statuses).count == 1 ? statuses[0] : statuses.joined(separator: " / "))
        }
        // An update without a note has none to show (never an older one).
        vars["note"] = vars["note"] ?? .string(incident.updates.last?.note ?? "")
        return NoticeRequest(
            template: notify.template, vars: vars, priority: notify.priority, collapseKey: "incident:\(incident.id)", incidentID: incident.id,
            incident: incident.templateValue(timeZone: intake.configuration.timeZone)
        )
    }
}

/// An incident operation that cannot be done.
public enum IncidentError: Error, Sendable, Hashable, CustomStringConvertible {
    case notFound(String)
    case alreadyResolved(String)

    public var description: String {
        switch self {
        case .notFound(let id): "no incident with id '\(id)'"
        case .alreadyResolved(let id): "incident '\(id)' is resolved; open a new one"
        }
    }
}
