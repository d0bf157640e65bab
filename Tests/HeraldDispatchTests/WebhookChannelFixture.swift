import HeraldChannels
import HeraldCore

enum WebhookChannelFixture {
    static func make(name: String) -> WebhookChannel {
        WebhookChannel(name: name, configuration: .init(signingKey: Array("key".utf8), connections: 8, timeout: .healthyReceiverTimeout, egress: .testReceivers))
    }
}
