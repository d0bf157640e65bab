import Foundation
import HeraldCore
import NIOCore
import NIOHTTP1

/// Builds gateway requests for both formats.
enum SMSRequest {
    static func json(_ message: SMSMessage, gateway: SMSSettings) throws(DeliveryError) -> HTTPPost {
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: "application/json")
        headers.add(name: "user-agent", value: "Herald")
        headers.add(name: "idempotency-key", value: message.id)
        if let token = gateway.token { headers.add(name: "authorization", value: "Bearer \(token.value)") }
        let body: TemplateValue = [
            "to": .string(message.to), "from": .string(gateway.sender), "text": .string(message.text), "reference": .string(message.id),
        ]
        return HTTPPost(to: try destination(gateway.url.absoluteString), headers: headers, body: ByteBuffer(bytes: body.jsonBytes))
    }

    static func twilio(_ message: SMSMessage, gateway: SMSSettings) throws(DeliveryError) -> HTTPPost {
        let account = gateway.account ?? ""
        let base = gateway.url.absoluteString.hasSuffix("/") ? String(gateway.url.absoluteString.dropLast()) : gateway.url.absoluteString
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: "application/x-www-form-urlencoded")
        headers.add(name: "user-agent", value: "Herald")
        headers.add(name: "idempotency-key", value: message.id)
        let credentials = Data("\(account):\(gateway.token?.value ?? "")".utf8).base64EncodedString()
        headers.add(name: "authorization", value: "Basic \(credentials)")
        let form = [("To", message.to), ("From", gateway.sender), ("Body", message.text)]
            .map { "\($0.0)=\(formEncode($0.1))" }.joined(separator: "&")
        let url = "\(base)/2010-04-01/Accounts/\(formEncode(account))/Messages.json"
        return HTTPPost(to: try destination(url), headers: headers, body: ByteBuffer(string: form))
    }

    /// The gateway URL, checked as every HTTP destination is (the configuration checked it at load too).
    private static func destination(_ url: String) throws(DeliveryError) -> HTTPDestination {
        do { return try HTTPDestination.memoized(url) } catch {
            throw DeliveryError(reason: .rejected, isRetryable: false, detail: "the gateway URL cannot be used: \(error.description)")
        }
    }

    /// `application/x-www-form-urlencoded`: unreserved characters kept, space as `+`, the rest percent-encoded UTF-8.
    static func formEncode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "*"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: " "):
                out += "+"
            default:
                out += "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
            }
        }
        return out
    }

    /// `Twilio 21211: The 'To' number is not a valid phone number.` from Twilio's error JSON, else the body as it came.
    /// What Twilio's error codes say about the number: 21211 invalid `To` and 21614 not a mobile
    /// number make it `invalid`; 21610 means the person replied STOP to Twilio, an unsubscribe.
    static let twilioLearnings: [String: SuppressionReason] = ["21211": .invalid, "21614": .invalid, "21610": .unsubscribed]

    /// The suppression Twilio's error JSON calls for, if any.
    static func learnFromTwilioError(_ body: String) -> SuppressionReason? {
        guard let code = (try? JSONDecoder().decode(TemplateValue.self, from: Data(body.utf8)))?.objectValue?["code"]?.text else { return nil }
        return twilioLearnings[code]
    }

    static func describeTwilioError(_ body: String) -> String {
        guard let object = (try? JSONDecoder().decode(TemplateValue.self, from: Data(body.utf8)))?.objectValue,
            let message = object["message"]?.text, !message.isEmpty
        else { return body }
        let code = object["code"].map { " \($0.text)" } ?? ""
        return "Twilio\(code): \(message)"
    }
}
