/// A channel as the config describes it and the transport that carries it out, as one value: the
/// pipeline never has to match a settings list against a transports table by name.
public struct ConfiguredChannel: Sendable {
    public var settings: ChannelSettings
    public var transport: any Channel

    public init(settings: ChannelSettings, transport: any Channel) {
        self.settings = settings
        self.transport = transport
    }

    public var name: String { settings.name }
}
