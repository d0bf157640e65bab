import Crypto
import Foundation
import HeraldCore

/// Twilio's request signature (`X-Twilio-Signature`): base64 of HMAC-SHA1, keyed with the account's
/// auth token, over the full URL Twilio requested followed by every POST parameter's name and value,
/// sorted by name.
public enum TwilioSignature {
    /// The signature Twilio would send for `url` and `parameters` under `authToken`.
    public static func expected(url: String, parameters: [(name: String, value: String)], authToken: String) -> [UInt8] {
        var signed = url
        for (name, value) in parameters.sorted(by: { ($0.name, $0.value) < ($1.name, $1.value) }) {
            signed += name + value
        }
        let key = SymmetricKey(data: Array(authToken.utf8))
        return Array(HMAC<Insecure.SHA1>.authenticationCode(for: Array(signed.utf8), using: key))
    }

    /// Whether `header` is a valid signature under any of `authTokens`, comparing in constant time.
    static func isValid(_ header: String?, url: String, parameters: [(name: String, value: String)], authTokens: [String]) -> Bool {
        guard let header, let presented = Data(base64Encoded: header).map(Array.init) else { return false }
        var valid = false
        for token in authTokens where ConstantTime.equal(presented, expected(url: url, parameters: parameters, authToken: token)) {
            valid = true
        }
        return valid
    }
}
