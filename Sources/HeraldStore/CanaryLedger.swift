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

/// How drill reports are kept: as JSON, the same in every store.
public enum DrillReportCoding {
    public static func encode(_ report: DrillReport) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .millisecondsSince1970
        return String(decoding: try encoder.encode(report), as: UTF8.self)
    }

    public static func decode(_ text: String) throws -> DrillReport {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .millisecondsSince1970
        return try decoder.decode(DrillReport.self, from: Data(text.utf8))
    }
}
