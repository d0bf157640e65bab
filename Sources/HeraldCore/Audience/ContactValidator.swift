import Foundation

/// Checks contact points as they enter Herald, so a bad one is refused at import or send with a reason
/// instead of failing later at delivery.
public enum ContactValidator {
    /// `nil` when valid, else the reason.
    public static func emailProblem(_ address: String) -> String? {
        var at: Int?
        var count = 0
        for byte in address.utf8 {
            switch byte {
            case 0...32, UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: ","), 127:
                return "an e-mail address cannot contain spaces, line breaks, control characters, <, > or commas"
            case UInt8(ascii: "@"):
                if at != nil { return "expected one local part, @ and a domain" }
                at = count
            default: break
            }
            count += 1
        }
        guard let at, at > 0, at <= 64, at < count - 1 else { return "expected one local part, @ and a domain" }
        let domain = address.utf8.dropFirst(at + 1)
        let dot = UInt8(ascii: ".")
        guard domain.contains(dot), domain.first != dot, domain.last != dot, !zip(domain, domain.dropFirst()).contains(where: { $0 == dot && $1 == dot })
        else { return "the domain '\(String(decoding: domain, as: UTF8.self))' is not a valid host name" }
        return nil
    }

    /// `nil` when the phone number looks dialable (E.164 normalisation per region comes with the SMS channel).
    public static func phoneProblem(_ phone: String) -> String? {
        let allowed = Set("+0123456789 ()-.")
        guard phone.allSatisfy({ allowed.contains($0) }) else { return "a phone number may contain digits, +, spaces, (, ), - and . only" }
        let digits = phone.filter(\.isNumber).count
        guard (6...15).contains(digits) else { return "a phone number has 6 to 15 digits, this one has \(digits)" }
        return nil
    }

    /// `nil` when the URL is an absolute http(s) URL with a host and a port in 1–65535 (see `HTTPDestination`).
    public static func webhookProblem(_ url: String) -> String? {
        do {
            _ = try HTTPDestination.memoized(url)
            return nil
        } catch {
            return error.description
        }
    }

    /// `nil` when the locale looks like `en`, `ko` or `pt-BR`.
    public static func localeProblem(_ locale: String) -> String? {
        let parts = locale.split(separator: "-", omittingEmptySubsequences: false)
        guard let language = parts.first, (2...3).contains(language.count), language.allSatisfy(\.isLetter),
            parts.count <= 2, parts.dropFirst().allSatisfy({ (2...4).contains($0.count) && $0.allSatisfy { $0.isLetter || $0.isNumber } })
        else { return "expected a locale such as en, ko or pt-BR" }
        return nil
    }
}
