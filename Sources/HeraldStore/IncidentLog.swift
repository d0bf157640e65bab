import Foundation
import HeraldCore

/// Incidents, stored whole: every change is one transaction, so two operators updating at once never
/// lose each other's changes.
public protocol IncidentLog: Sendable {
    func saveNewIncident(_ incident: Incident) async throws

    /// Loads the incident, applies `change` and saves it, in one transaction.
    /// - Returns: the changed incident, or `nil` when there is none with that id.
    func changeIncident(id: String, _ change: @Sendable (inout Incident) throws -> Void) async throws -> Incident?

    func incident(id: String) async throws -> Incident?

    /// Newest first; only open ones when `openOnly`.
    func incidents(openOnly: Bool) async throws -> [Incident]
}

/// The open incidents, for what they say about the services channels depend on (`SharedFate`):
/// workers, dry runs and `herald status` read it.
public protocol OpenIncidentSource: Sendable {
    /// The incidents not yet resolved.
    func openIncidents() async throws -> [Incident]
}

extension OpenIncidentSource where Self: IncidentLog {
    public func openIncidents() async throws -> [Incident] { try await incidents(openOnly: true) }
}

extension OpenIncidentSource {
    /// The services open incidents mark `outage` or `degraded`.
    public func sharedFate() async throws -> SharedFate { SharedFate(openIncidents: try await openIncidents()) }
}
