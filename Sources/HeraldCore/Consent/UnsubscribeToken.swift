import Crypto
import Foundation

/// The token of a one-click unsubscribe link (`PUBLIC_URL/u/TOKEN`): the contact point and the
/// notice's category, and an HMAC-SHA256 over them with `unsubscribe.secret`.
///
/// `base64url(payload) . base64url(first 16 bytes of the MAC)`. The signature alone decides: a forged
/// or altered token is rejected without reading the store, in constant time.
public struct UnsubscribeToken: Sendable, Hashable {
    public var contact: ContactPoint
    public var category: String

    public init(contact: ContactPoint, category: String) {
        self.contact = contact
        self.category = category
    }

    /// The signed token.
    public func signed(with key: UnsubscribeKey) -> String {
        key.sign([contact.kind.rawValue, category, contact.value])
    }

    /// The token `text` names, when its signature is valid; `nil` for anything forged, altered or malformed.
    public static func verify(_ text: Substring, with key: UnsubscribeKey) -> UnsubscribeToken? {
        guard let fields = key.open(text, fields: 3), let kind = ContactKind(rawValue: fields[0]) else { return nil }
        return UnsubscribeToken(contact: ContactPoint(kind: kind, normalized: fields[2]), category: fields[1])
    }
}

/// `unsubscribe.secret`, prepared for signing and checking the public links: one-click unsubscribe
/// (`UnsubscribeToken`) and the status page's subscription confirmations (`SubscriptionToken`). Each
/// kind of token begins with a field the other can never hold, so one never reads as the other.
public struct UnsubscribeKey: Sendable {
    private let key: SymmetricKey

    public init(secret: Secret) {
        key = SymmetricKey(data: Array(secret.value.utf8))
    }

    /// `base64url(fields joined by newlines) . base64url(first 16 bytes of their HMAC-SHA256)`.
    func sign(_ fields: [String]) -> String {
        let payload = Array(fields.joined(separator: "\n").utf8)
        return Base64URL.encode(payload) + "." + Base64URL.encode(mac(payload))
    }

    /// The `count` fields of a token `sign` made, when its signature is valid; the last field keeps any newline.
    func open(_ text: Substring, fields count: Int) -> [String]? {
        let pieces = text.split(separator: ".", omittingEmptySubsequences: false)
        guard pieces.count == 2, pieces[0].utf8.count <= 4096, let payload = Base64URL.decode(pieces[0]), let candidate = Base64URL.decode(pieces[1]),
            ConstantTime.equal(candidate, mac(payload))  // constant time: timing says nothing about the MAC
        else { return nil }
        let fields = String(decoding: payload, as: UTF8.self).split(separator: "\n", maxSplits: count - 1, omittingEmptySubsequences: false)
        return fields.count == count ? fields.map(String.init) : nil
    }

    private func mac(_ payload: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: payload, using: key).prefix(16))
    }
}

/// Base64 with the URL alphabet and no padding (RFC 4648 §5).
enum Base64URL {
    static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ text: Substring) -> [UInt8]? {
        guard text.utf8.allSatisfy({ $0 != UInt8(ascii: "+") && $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: "=") }) else { return nil }
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        standard += String(repeating: "=", count: (4 - standard.utf8.count % 4) % 4)
        // Only the canonical spelling: the unused bits of the last character cannot vary.
        guard let bytes = Data(base64Encoded: standard).map(Array.init), encode(bytes) == text else { return nil }
        return bytes
    }
}
