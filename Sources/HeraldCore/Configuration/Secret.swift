/// A password, token or signing key from the config. It prints as `<redacted>` so it cannot leak
/// through logs, errors or `status` output by accident; read `value` where it is really needed.
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The secret itself.
    public let value: String

    public init(_ value: String) { self.value = value }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
}
