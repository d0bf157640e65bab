import Foundation

/// Runs the built `herald` executable as a user would, in a working directory, and captures its output.
public struct HeraldProcess: Sendable {
    /// What a finished run printed and returned.
    public struct Outcome: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// The package root (where `Config/` and `Templates/` live).
    public static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `$HERALD_BIN`, else the debug build's `herald`.
    public static var executable: String {
        ProcessInfo.processInfo.environment["HERALD_BIN"] ?? packageRoot.appendingPathComponent(".build/debug/herald").path
    }

    public let workingDirectory: String
    public var environment: [String: String]
    /// A command that runs herald, such as `["/usr/bin/prlimit", "--nofile=512"]`; empty runs it directly.
    public var launcher: [String]

    public init(workingDirectory: String, environment: [String: String] = [:], launcher: [String] = []) {
        self.workingDirectory = workingDirectory
        self.environment = environment
        self.launcher = launcher
    }

    /// Runs `herald ARGS` to completion without blocking a thread while it runs.
    public func run(_ arguments: [String]) async throws -> Outcome {
        try await start(arguments).finish()
    }

    /// Starts `herald ARGS` in the background (for `herald work`, and to kill it).
    public func start(_ arguments: [String]) throws -> Running {
        let running = Running(
            stdout: "\(workingDirectory)/.stdout-\(UUID().uuidString)", stderr: "\(workingDirectory)/.stderr-\(UUID().uuidString)"
        )
        _ = FileManager.default.createFile(atPath: running.stdout, contents: nil)
        _ = FileManager.default.createFile(atPath: running.stderr, contents: nil)
        let process = running.process
        let command = launcher + [Self.executable] + arguments
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        process.currentDirectoryURL = URL(fileURLWithPath: workingDirectory)
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = FileHandle(forWritingAtPath: running.stdout)
        process.standardError = FileHandle(forWritingAtPath: running.stderr)
        process.standardInput = FileHandle.nullDevice
        let exit = running.exit
        process.terminationHandler = { exit.yield($0.terminationStatus) }
        try process.run()
        return running
    }

    /// A `herald` process started with `start`.
    public final class Running: @unchecked Sendable {
        let process = Process()
        let stdout: String
        let stderr: String
        let exit: AsyncStream<Int32>.Continuation
        private let exits: AsyncStream<Int32>

        init(stdout: String, stderr: String) {
            self.stdout = stdout
            self.stderr = stderr
            (exits, exit) = AsyncStream.makeStream(of: Int32.self)
        }

        /// Where a process prints: results on standard output, logs on standard error.
        public enum Output: Sendable { case standardOutput, standardError }

        /// The first line of `output` containing `text`, once the process printed it (for a `serve` on
        /// port 0 to say where it listens), or `nil` if it exited or stayed silent for 20 s.
        /// Output goes to a file, not a pipe: a pipe's end can leak into other tests' children, and
        /// then its end of file never comes.
        public func line(containing text: String, in output: Output = .standardOutput) async -> String? {
            let path = output == .standardOutput ? stdout : stderr
            for _ in 0..<400 {
                let printed = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
                if let line = printed.split(separator: "\n").first(where: { $0.contains(text) }) { return String(line) }
                if !process.isRunning { return nil }
                try? await Task.sleep(for: .milliseconds(50))
            }
            return nil
        }

        /// Sends a signal (`SIGKILL` for a crash, `SIGTERM` for a graceful stop).
        public func signal(_ signal: Int32) { kill(process.processIdentifier, signal) }

        /// Waits for the process to end and returns what it printed.
        public func finish() async -> Outcome {
            var iterator = exits.makeAsyncIterator()
            let status = await iterator.next() ?? -1
            let read = { (path: String) in (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }
            defer {
                try? FileManager.default.removeItem(atPath: stdout)
                try? FileManager.default.removeItem(atPath: stderr)
            }
            return Outcome(status: status, stdout: read(stdout), stderr: read(stderr))
        }
    }

    /// A working directory holding copies of the shipped `Config/` and `Templates/`, as a new user's checkout would.
    public static func workspace() throws -> TemporaryDirectory {
        let directory = TemporaryDirectory()
        for folder in ["Config", "Templates"] {
            try FileManager.default.copyItem(atPath: packageRoot.appendingPathComponent(folder).path, toPath: directory.file(folder))
        }
        // The tests' receivers run on 127.0.0.1, which Herald refuses as a recipient's webhook unless allowed.
        let config = try String(contentsOfFile: directory.file("Config/herald.yaml"), encoding: .utf8)
        try (config + "\negress: { allow: [127.0.0.0/8] }\n").write(toFile: directory.file("Config/herald.yaml"), atomically: true, encoding: .utf8)
        return directory
    }
}
