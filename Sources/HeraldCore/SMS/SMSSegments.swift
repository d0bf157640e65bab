/// How many SMS segments a text takes: GSM-7 when every character is in the GSM 03.38 alphabet
/// (extension characters such as `€` and `{` take two septets), else UCS-2 (Korean, emoji). One
/// segment holds 160 septets or 70 UCS-2 units; a multipart message loses room to its header, so
/// each part holds 153 septets or 67 units.
public struct SMSSegments: Sendable, Equatable {
    public enum Encoding: String, Sendable { case gsm7 = "GSM-7", ucs2 = "UCS-2" }

    public var encoding: Encoding
    /// Septets (GSM-7) or UTF-16 code units (UCS-2).
    public var units: Int
    public var segments: Int

    /// Counts `text`.
    public init(_ text: String) {
        var septets = 0
        var isGSM = true
        for scalar in text.unicodeScalars {
            if Self.basic.contains(scalar) {
                septets += 1
            } else if Self.extended.contains(scalar) {
                septets += 2
            } else {
                isGSM = false
                break
            }
        }
        if isGSM {
            encoding = .gsm7
            units = septets
            segments = septets == 0 ? 1 : septets <= 160 ? 1 : (septets + 152) / 153
        } else {
            encoding = .ucs2
            units = text.utf16.count
            segments = units <= 70 ? 1 : (units + 66) / 67
        }
    }

    /// `nil` when the text fits in `maxSegments`, else the overrun in the words every part of Herald
    /// uses for it (`templates check`, accept, dry runs and the SMS channel): "takes 3 UCS-2 segments,
    /// over max_segments 2"; callers say of what and for which channel.
    public func overrun(maxSegments: Int) -> String? {
        segments > maxSegments ? Self.overrun(segments: segments, encoding: encoding.rawValue, maxSegments: maxSegments) : nil
    }

    /// The overrun text for counts already taken.
    public static func overrun(segments: Int, encoding: String, maxSegments: Int) -> String {
        "takes \(segments) \(encoding) segments, over max_segments \(maxSegments)"
    }

    /// The GSM 03.38 default alphabet.
    static let basic: Set<Unicode.Scalar> = Set(
        "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
            .unicodeScalars
    )
    /// The extension table: each costs an escape septet too.
    static let extended: Set<Unicode.Scalar> = Set("^{}\\[~]|€\u{0C}".unicodeScalars)
}
