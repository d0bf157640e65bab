import Foundation

/// What `herald drill` found: for each canary, the path its channel was reached by with the drill's
/// channels down, and what happened on it. Stored, so `herald drill --last` answers "when did we last
/// prove the fallback works".
public struct DrillReport: Sendable, Hashable, Codable {
    /// One canary's path.
    public struct Path: Sendable, Hashable, Codable {
        /// The canary's channel: the one this path proves.
        public var canary: String
        /// The channels the drill's message was routed through: the down channels before the canary's, then it.
        public var route: [String]
        public var outcome: Outcome
        /// From queueing to the first delivery, when delivered.
        public var seconds: Double?
        /// Why it failed, in the channel's words.
        public var reason: String?

        public init(canary: String, route: [String], outcome: Outcome, seconds: Double? = nil, reason: String? = nil) {
            self.canary = canary
            self.route = route
            self.outcome = outcome
            self.seconds = seconds
            self.reason = reason
        }

        /// Whether the canary's channel was reached as a fallback: a down channel came before it.
        public var isFallback: Bool { route.count > 1 }
    }

    /// How a path ended.
    public enum Outcome: String, Sendable, Hashable, Codable {
        /// Delivered through the canary's channel.
        case delivered
        /// The canary's channel did not deliver: the path is broken.
        case failed
        /// The canary's own channel is one of the drill's down channels: nothing to prove.
        case down
    }

    public var ranAt: Date
    public var down: [String]
    public var paths: [Path]

    enum CodingKeys: String, CodingKey {
        case ranAt = "ran_at"
        case down, paths
    }

    public init(ranAt: Date, down: [String], paths: [Path]) {
        self.ranAt = ranAt
        self.down = down
        self.paths = paths
    }

    /// The paths that failed.
    public var failures: [Path] { paths.filter { $0.outcome == .failed } }

    /// Whether every path that could be proved delivered.
    public var passed: Bool { failures.isEmpty }

    /// The report as `herald drill` prints it: one line per canary, then the verdict.
    public var text: String {
        var lines = ["drill at \(RenderContext.timestamp(ranAt)), down: \(down.isEmpty ? "none" : down.joined(separator: ", "))"]
        let width = max(8, paths.map(\.canary.count).max() ?? 0)
        for path in paths {
            let name = path.canary.padding(toLength: width, withPad: " ", startingAt: 0)
            let hops = path.route.map { down.contains($0) && $0 != path.canary ? "\($0) (down)" : $0 }.joined(separator: " → ")
            switch path.outcome {
            case .down: lines.append("  \(name)  down in this drill")
            case .delivered:
                let seconds = String(format: "%.3f", path.seconds ?? 0)
                lines.append("  \(name)  \(hops): delivered in \(seconds) s\(path.isFallback ? " through the fallback" : "")")
            case .failed: lines.append("  \(name)  \(hops): FAILED: \(path.reason ?? "not delivered")")
            }
        }
        if passed {
            lines.append("passed: every path delivered")
        } else {
            lines.append("failed: " + failures.map { "\($0.canary) (\($0.reason ?? "not delivered"))" }.joined(separator: "; "))
        }
        return lines.joined(separator: "\n")
    }
}
