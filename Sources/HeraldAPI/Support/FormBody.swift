import Foundation

/// An `application/x-www-form-urlencoded` body: `name=value` pairs joined by `&`, `+` for a space,
/// percent-encoded bytes. Pairs keep their order; a name may repeat.
enum FormBody {
    /// The pairs, or `nil` when a pair is not valid percent-encoded UTF-8.
    static func parse(_ bytes: [UInt8]) -> [(name: String, value: String)]? {
        var pairs: [(name: String, value: String)] = []
        for piece in String(decoding: bytes, as: UTF8.self).split(separator: "&") {
            let parts = piece.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = decode(parts[0]), let value = decode(parts.count > 1 ? parts[1] : "") else { return nil }
            pairs.append((name, value))
        }
        return pairs
    }

    private static func decode(_ text: Substring) -> String? {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}
