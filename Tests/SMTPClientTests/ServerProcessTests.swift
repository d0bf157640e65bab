import Foundation
import HeraldSinks
import Testing

@testable import HeraldTestSupport

/// The harness that runs aiosmtpd and smtp-sink for the tests: a server that dies must fail the test
/// that needs it, never hang the run. And the port a "dead receiver" test points at must stay dead.
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
        #expect(Self.connect(client, to: server.port) == 0)
        await server.waitForExit()
        close(client)
        await server.stop()
    }

    @Test func aRefusingPortRefusesStaysTakenAndCanBeListenedOnAgain() async throws {
        let port = try HTTPSink.refusingPort()
        let client = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #expect(Self.connect(client, to: port) == ECONNREFUSED)
        close(client)
        // A port merely closed again could go to a server another test starts meanwhile; this one is held.
        let other = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #expect(Self.bind(other, to: port) == EADDRINUSE, "the port stays taken")
        close(other)
        // The test itself can bring the receiver back there (`start` throws if it cannot listen).
        let back = try await HTTPSink.start(port: port)
        #expect(back.port == port)
        await back.stop()
    }

    @Test func aSinkStoppedWhileAConnectionArrivesStopsWithoutTrapping() async throws {
        for _ in 0..<300 {  // the window is narrow: with cancellation, a few hundred tries trap more often than not
            let sink = try await HTTPSink.start()
            let client = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            #expect(Self.connect(client, to: sink.port) == 0)
            await sink.stop()
            close(client)
        }
    }

    /// `0`, or the `errno` of connecting `descriptor` to 127.0.0.1:`port`.
    static func connect(_ descriptor: Int32, to port: Int) -> Int32 {
        withLoopback(port) { Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 ? 0 : errno }
    }

    /// `0`, or the `errno` of binding `descriptor` to 127.0.0.1:`port` without `SO_REUSEADDR`.
    static func bind(_ descriptor: Int32, to port: Int) -> Int32 {
        withLoopback(port) { Glibc.bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 ? 0 : errno }
    }

    static func withLoopback(_ port: Int, _ body: (UnsafePointer<sockaddr>) -> Int32) -> Int32 {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1, body) }
    }
}
