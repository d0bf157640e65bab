import ArgumentParser
import Foundation
import Logging

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "Config file (default: $HERALD_CONFIG, else Config/herald.yaml).")
    var config: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical (default: $HERALD_LOG_LEVEL, else info).")
    var logLevel: Logger.Level?

    var configPath: String {
        config ?? ProcessInfo.processInfo.environment["HERALD_CONFIG"] ?? "Config/herald.yaml"
    }

    /// `--log-level`, else `HERALD_LOG_LEVEL`, else `info`.
    var level: Logger.Level {
        logLevel ?? ProcessInfo.processInfo.environment["HERALD_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
    }

    /// Logs to stderr, as text or (with `json`) one JSON object per line, at `level`.
    func logger(_ label: String, json: Bool = false) -> Logger {
        var logger = Logger(label: label) { StderrLogHandler(label: $0, format: json ? .json : .text) }
        logger.logLevel = level
        return logger
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
