import Crypto
import Foundation

/// Standard Webhooks signing: `v1,<base64 HMAC-SHA256(key, "{id}.{timestamp}.{body}")>`.
///
/// The key is prepared once (HMAC's padded inner and outer key hashed into its starting state), so
/// each signature only hashes its own bytes.
public struct WebhookSignature: Sendable {
    private let keyed: HMAC<SHA256>

    /// A signer for the decoded `whsec_` key.
    public init(key: [UInt8]) {
        keyed = HMAC<SHA256>(key: SymmetricKey(data: key))
    }

    /// The `webhook-signature` header value.
    public func sign(id: String, timestamp: Int, body: [UInt8]) -> String {
        var mac = keyed
        mac.update(data: Array("\(id).\(timestamp).".utf8))
        mac.update(data: body)
        return "v1," + Data(mac.finalize()).base64EncodedString()
    }
}
