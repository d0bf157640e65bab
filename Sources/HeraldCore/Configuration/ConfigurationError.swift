/// A configuration problem, naming the file, line and key path (`channels.partners.url`) it is about.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The config file.
    public var file: String
    /// 1-based line in the file, when known.
    public var line: Int?
    /// Dotted key path such as `retry.backoff[2]`.
    public var keyPath: String
    public var reason: String

    public init(file: String, line: Int? = nil, keyPath: String, reason: String) {
        self.file = file
        self.line = line
        self.keyPath = keyPath
        self.reason = reason
    }

    public var description: String {
        let location = line.map { "\(file):\($0)" } ?? file
        return keyPath.isEmpty ? "\(location): \(reason)" : "\(location): \(keyPath): \(reason)"
    }
}
