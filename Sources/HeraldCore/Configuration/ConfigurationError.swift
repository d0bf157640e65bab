/// A configuration problem, naming the file, line and key path (`channels.partners.url`) it is about.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The config file.
    public var file: String
    /// 1-based line in the file, when known.
    public var line: Int?
    /// Dotted key path such as `retry.backoff[2]`.
    public var keyPath: String
    public var reason: String
    /// Further problems found in the same file, so one run lists them all.
    public var others: [ConfigurationError] = []

    public init(file: String, line: Int? = nil, keyPath: String, reason: String) {
        self.file = file
        self.line = line
        self.keyPath = keyPath
        self.reason = reason
    }

    /// This problem and the others, one each.
    public var all: [ConfigurationError] {
        var first = self
        first.others = []
        return [first] + others.flatMap(\.all)
    }

    /// One line per problem.
    public var description: String {
        all.map { problem in
            let location = problem.line.map { "\(problem.file):\($0)" } ?? problem.file
            return problem.keyPath.isEmpty ? "\(location): \(problem.reason)" : "\(location): \(problem.keyPath): \(problem.reason)"
        }.joined(separator: "\n")
    }
}

/// Problems gathered while reading a config file section by section, so that a run reports every
/// section's problem instead of stopping at the first.
struct ConfigurationProblems {
    private var found: [ConfigurationError] = []

    /// `body`'s value, or `nil` when it found a problem (kept).
    @discardableResult
    mutating func check<Value>(_ body: () throws(ConfigurationError) -> Value) -> Value? {
        do { return try body() } catch {
            found += error.all
            return nil
        }
    }

    /// Throws what was found: the first problem, carrying the others.
    func finish() throws(ConfigurationError) {
        guard var first = found.first else { return }
        first.others = Array(found.dropFirst())
        throw first
    }
}
