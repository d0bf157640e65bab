import Foundation
import Testing

@testable import HeraldTestSupport

/// The harness that runs aiosmtpd and smtp-sink for the tests: a server that dies must fail the test
/// that needs it, never hang the run.
@Suite("Test servers in child processes", .hangGuard)
struct ServerProcessTests {
    @Test func aServerThatExitsAtOnceIsReportedWithItsStatus() async throws {
        let error = await #expect(throws: SMTPTestError.self) {
            _ = try await ServerProcess.start(executable: "/bin/false") { _ in [] }
        }
        guard case .serverDidNotStart(let reason) = error else { Issue.record("unexpected \(String(describing: error))"); return }
        #expect(reason.contains("exited with status 1"))
    }

    @Test func stoppingAServerThatAlreadyExitedReturns() async throws {
        // Listens, then exits after its first connection, as a crashed server would.
        let script = "import socket,sys; s=socket.socket(); s.bind(('127.0.0.1', int(sys.argv[1]))); s.listen(); s.accept()"
        let server = try await ServerProcess.start(executable: "/usr/bin/env") { ["python3", "-c", script, String($0)] }
        #expect(ListeningSockets.of(pid: server.pid).contains(server.port))
        let client = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(server.port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(client, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        #expect(connected == 0)
        await server.waitForExit()
        close(client)
        await server.stop()
    }
}
