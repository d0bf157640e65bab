import Foundation
import Synchronization

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
        let running = Running(stderr: "\(workingDirectory)/.stderr-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: running.stderr, contents: nil)
        let process = running.process
        let command = launcher + [Self.executable] + arguments
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        process.currentDirectoryURL = URL(fileURLWithPath: workingDirectory)
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = running.output.pipe
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
        let output = OutputCollector()
        let stderr: String
        let exit: AsyncStream<Int32>.Continuation
        private let exits: AsyncStream<Int32>

        init(stderr: String) {
            self.stderr = stderr
            (exits, exit) = AsyncStream.makeStream(of: Int32.self)
        }

        /// Waits until standard output has a line containing `text` and returns that line, or `nil` if it ended first.
        public func line(containing text: String) async -> String? {
            await output.line(containing: text)
        }

        /// Sends a signal (`SIGKILL` for a crash, `SIGTERM` for a graceful stop).
        public func signal(_ signal: Int32) { kill(process.processIdentifier, signal) }

        /// Waits for the process to end and returns what it printed.
        public func finish() async -> Outcome {
            var iterator = exits.makeAsyncIterator()
            let status = await iterator.next() ?? -1
            let stdout = await output.all()
            defer { try? FileManager.default.removeItem(atPath: stderr) }
            return Outcome(status: status, stdout: stdout, stderr: (try? String(contentsOfFile: stderr, encoding: .utf8)) ?? "")
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

/// A child's standard output read as it arrives (no file to poll), for tests that wait for a line.
final class OutputCollector: Sendable {
    let pipe = Pipe()
    private struct State {
        var text = ""
        var ended = false
        var waiters: [(text: String?, continuation: CheckedContinuation<String?, Never>)] = []
    }
    private let state = Mutex(State())

    init() {
        pipe.fileHandleForReading.readabilityHandler = { [weak self] handle in self?.receive(handle) }
    }

    private func receive(_ handle: FileHandle) {
        let data = handle.availableData
        let ready = state.withLock { state -> [(CheckedContinuation<String?, Never>, String?)] in
            if data.isEmpty {
                handle.readabilityHandler = nil
                state.ended = true
            } else {
                state.text += String(decoding: data, as: UTF8.self)
            }
            var ready: [(CheckedContinuation<String?, Never>, String?)] = []
            state.waiters.removeAll { waiter in
                if let line = Self.line(in: state.text, containing: waiter.text) {
                    ready.append((waiter.continuation, line))
                    return true
                }
                guard state.ended else { return false }
                ready.append((waiter.continuation, waiter.text == nil ? state.text : nil))
                return true
            }
            return ready
        }
        for (continuation, value) in ready { continuation.resume(returning: value) }
    }

    /// `text == nil` asks for everything once the output ended.
    private static func line(in output: String, containing text: String?) -> String? {
        guard let text else { return nil }
        return output.split(separator: "\n").first { $0.contains(text) }.map(String.init)
    }

    func line(containing text: String) async -> String? {
        await wait(for: text)
    }

    /// Everything the process printed, once it closed its output.
    func all() async -> String {
        await wait(for: nil) ?? ""
    }

    private func wait(for text: String?) async -> String? {
        await withCheckedContinuation { continuation in
            let now = state.withLock { state -> String?? in
                if let line = Self.line(in: state.text, containing: text) { return .some(line) }
                if state.ended { return .some(text == nil ? state.text : nil) }
                state.waiters.append((text, continuation))
                return .none
            }
            if let now { continuation.resume(returning: now) }
        }
    }
}
