/// How urgently a message is drained: `critical > high > normal > low`.
public enum Priority: String, Sendable, Codable, CaseIterable, Comparable {
    case low, normal, high, critical

    /// A number that sorts like the priority (higher drains first); what the store keeps.
    public var rank: Int {
        switch self {
        case .low: 0
        case .normal: 1
        case .high: 2
        case .critical: 3
        }
    }

    /// The priority for a stored rank.
    public init?(rank: Int) {
        guard let match = Self.allCases.first(where: { $0.rank == rank }) else { return nil }
        self = match
    }

    public static func < (lhs: Priority, rhs: Priority) -> Bool { lhs.rank < rhs.rank }
}
