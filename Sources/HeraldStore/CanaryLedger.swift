import Foundation
import HeraldCore

/// What canaries and drills leave behind: each channel's last canary result, and the drills run.
public protocol CanaryLedger: Sendable {
    /// Keeps `result` as its channel's last, unless a later one is already kept.
    func recordCanary(_ result: CanaryResult) async throws

    /// Every channel's last canary result.
    func canaryResults() async throws -> [CanaryResult]

    /// Keeps a drill's report.
    func saveDrill(_ report: DrillReport) async throws

    /// The report of the latest drill, `nil` before the first.
    func lastDrill() async throws -> DrillReport?
}
