/// What open incidents say about the services channels depend on (`depends_on:`): a channel whose
/// service is in `outage` or `degraded` is held back — routes pass it over at once, with no attempt
/// and no circuit trip — until the service is restored.
public struct SharedFate: Sendable, Hashable {
    /// Impaired services by name in lower case: the worst status any open incident gives each.
    public var impaired: [String: Incident.ServiceStatus]

    public init(impaired: [String: Incident.ServiceStatus] = [:]) {
        self.impaired = impaired
    }

    /// Nothing impaired.
    public static let clear = SharedFate()

    /// The services open incidents mark `outage` or `degraded` (an outage wins over a degradation).
    public init(openIncidents: [Incident]) {
        self.init()
        for incident in openIncidents where incident.state == .open {
            for service in incident.services where service.status == .outage || service.status == .degraded {
                let name = service.name.lowercased()
                if impaired[name] != .outage { impaired[name] = service.status }
            }
        }
    }

    /// The service that holds `channel` back, as the channel names it, and its status; `nil` when none does.
    public func holdingBack(_ channel: ChannelSettings) -> (service: String, status: Incident.ServiceStatus)? {
        guard !impaired.isEmpty else { return nil }
        for service in channel.dependsOn {
            if let status = impaired[service.lowercased()] { return (service, status) }
        }
        return nil
    }
}
