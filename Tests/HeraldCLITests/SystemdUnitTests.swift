import Foundation
import HeraldTestSupport
import Testing

/// `Config/systemd/herald.service` is a unit systemd accepts as it is, running `herald serve`.
@Suite("systemd unit", .hangGuard)
struct SystemdUnitTests {
    @Test func theShippedUnitPassesSystemdAnalyzeVerifyWithoutAWarning() async throws {
        let shipped = try String(contentsOf: HeraldProcess.packageRoot.appendingPathComponent("Config/systemd/herald.service"), encoding: .utf8)
        #expect(shipped.contains("ExecStart=/usr/local/bin/herald serve"))
        #expect(shipped.contains("KillSignal=SIGTERM"))
        // verify checks that ExecStart's binary exists, so the copy points at the one just built.
        let folder = TemporaryDirectory()
        let unit = folder.write("herald.service", shipped.replacingOccurrences(of: "/usr/local/bin/herald", with: HeraldProcess.executable))

        let verify = Process()
        verify.executableURL = URL(fileURLWithPath: "/usr/bin/systemd-analyze")
        verify.arguments = ["verify", unit]
        let output = folder.file("verify.out")
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        verify.standardOutput = FileHandle(forWritingAtPath: output)
        verify.standardError = FileHandle(forWritingAtPath: output)
        let (exits, exit) = AsyncStream.makeStream(of: Int32.self)
        verify.terminationHandler = { exit.yield($0.terminationStatus) }
        try verify.run()
        var statuses = exits.makeAsyncIterator()
        let status = await statuses.next()
        let said = try String(contentsOfFile: output, encoding: .utf8)
        #expect(status == 0, "\(said)")
        #expect(said.isEmpty, "systemd-analyze warned: \(said)")
    }
}
