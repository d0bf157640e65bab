import Foundation
import HeraldSinks

/// A third-party server run as a child process for a test: started on a free port, waited for until
/// *it* listens there (bounded), and killed.
///
/// Two things make this more than `Process.run()`:
/// - The port is free when chosen but may be taken before the server binds it (another test's server,
///   or the local end of an outgoing connection). Such a server exits at once; it is started again on
///   another port. Readiness is read from `/proc`, so a different process answering on the port is
///   never mistaken for ours.
/// - Its exit is observed from before it starts, so `stop()` returns even for a server that already
///   exited by itself.
final class ServerProcess: @unchecked Sendable {
    let port: Int
    private let process: Process
    private let exit: Exit

    /// Starts `executable arguments(port)` and returns once that process listens on `port` on 127.0.0.1.
    static func start(executable: String, arguments: (Int) -> [String]) async throws -> ServerProcess {
        var failures: [String] = []
        for _ in 0..<5 {
            let port = try await HTTPSink.freePort()
            let server = try ServerProcess(executable: executable, arguments: arguments(port), port: port)
            switch await server.waitUntilListening() {
            case .listening:
                return server
            case .exited(let status):
                failures.append("port \(port): exited with status \(status)")
            case .silent:
                await server.stop()
                failures.append("port \(port): did not listen within 10 s")
            }
        }
        throw SMTPTestError.serverDidNotStart("\(executable) \(arguments(0).joined(separator: " ")): \(failures.joined(separator: "; "))")
    }

    private init(executable: String, arguments: [String], port: Int) throws {
        self.port = port
        process = Process()
        exit = Exit()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        let exit = self.exit
        process.terminationHandler = { exit.record($0.terminationStatus) }
        try process.run()
    }

    private enum Startup { case listening, exited(Int32), silent }

    private func waitUntilListening() async -> Startup {
        for _ in 0..<200 {
            if let status = exit.status { return .exited(status) }
            if ListeningSockets.of(pid: process.processIdentifier).contains(port) { return .listening }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return .silent
    }

    /// The server's process id.
    var pid: Int32 { process.processIdentifier }

    /// Waits for the server to exit by itself.
    func waitForExit() async { await exit.wait() }

    /// Kills the server (SIGKILL: aiosmtpd ignores SIGTERM in this mode) and waits for it to exit.
    func stop() async {
        if exit.status == nil { kill(process.processIdentifier, SIGKILL) }
        await exit.wait()
    }

    /// A process's exit status, recorded by its termination handler and awaited by `stop()`.
    private final class Exit: @unchecked Sendable {
        private let lock = NSLock()
        private var recorded: Int32?
        private var waiters: [CheckedContinuation<Void, Never>] = []

        var status: Int32? { lock.withLock { recorded } }

        func record(_ status: Int32) {
            let waiting = lock.withLock {
                recorded = status
                defer { waiters = [] }
                return waiters
            }
            waiting.forEach { $0.resume() }
        }

        func wait() async {
            await withCheckedContinuation { continuation in
                let exited = lock.withLock {
                    if recorded == nil { waiters.append(continuation) }
                    return recorded != nil
                }
                if exited { continuation.resume() }
            }
        }
    }
}

/// The TCP ports on 127.0.0.1 a process listens on, read from Linux's `/proc`.
enum ListeningSockets {
    static func of(pid: Int32) -> Set<Int> {
        let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []
        let inodes = Set(
            descriptors.compactMap { descriptor -> String? in
                guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(descriptor)"),
                    target.hasPrefix("socket:[")
                else { return nil }
                return String(target.dropFirst("socket:[".count).dropLast())
            }
        )
        guard !inodes.isEmpty, let table = try? String(contentsOfFile: "/proc/\(pid)/net/tcp", encoding: .utf8) else { return [] }
        // Columns: sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode …; 0A is LISTEN.
        return Set(
            table.split(separator: "\n").dropFirst().compactMap { line -> Int? in
                let columns = line.split(separator: " ")
                guard columns.count > 9, columns[3] == "0A", inodes.contains(String(columns[9])) else { return nil }
                let local = columns[1].split(separator: ":")
                guard local.count == 2, local[0] == "0100007F" else { return nil }
                return Int(local[1], radix: 16)
            }
        )
    }
}
