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

    public init(workingDirectory: String, environment: [String: String] = [:]) {
        self.workingDirectory = workingDirectory
        self.environment = environment
    }

    /// Runs `herald ARGS` to completion without blocking a thread while it runs.
    public func run(_ arguments: [String]) async throws -> Outcome {
        let stdout = "\(workingDirectory)/.stdout-\(UUID().uuidString)"
        let stderr = "\(workingDirectory)/.stderr-\(UUID().uuidString)"
        _ = FileManager.default.createFile(atPath: stdout, contents: nil)
        _ = FileManager.default.createFile(atPath: stderr, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: workingDirectory)
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = FileHandle(forWritingAtPath: stdout)
        process.standardError = FileHandle(forWritingAtPath: stderr)
        process.standardInput = FileHandle.nullDevice
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        let read = { (path: String) in (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }
        defer {
            try? FileManager.default.removeItem(atPath: stdout)
            try? FileManager.default.removeItem(atPath: stderr)
        }
        return Outcome(status: status, stdout: read(stdout), stderr: read(stderr))
    }

    /// A working directory holding copies of the shipped `Config/` and `Templates/`, as a new user's checkout would.
    public static func workspace() throws -> TemporaryDirectory {
        let directory = TemporaryDirectory()
        for folder in ["Config", "Templates"] {
            try FileManager.default.copyItem(atPath: packageRoot.appendingPathComponent(folder).path, toPath: directory.file(folder))
        }
        return directory
    }
}
