import HeraldCore

extension EgressPolicy {
    /// Loopback allowed: the tests' receivers run on 127.0.0.1, which Herald refuses by default.
    public static let testReceivers = EgressPolicy(allow: [EgressPolicy.Rule("127.0.0.0/8")!, EgressPolicy.Rule("::1")!])
}
