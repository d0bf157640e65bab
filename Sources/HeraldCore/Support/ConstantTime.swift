/// Comparing secrets (tokens, signatures) without timing saying where they first differ.
public enum ConstantTime {
    /// Whether the two byte strings are equal, looking at every byte whatever the first difference.
    public static func equal(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for (left, right) in zip(lhs, rhs) { difference |= left ^ right }
        return difference == 0
    }
}
