import ArgumentParser
import Foundation

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "Config file (default: $HERALD_CONFIG, else Config/herald.yaml).")
    var config: String?

    var configPath: String {
        config ?? ProcessInfo.processInfo.environment["HERALD_CONFIG"] ?? "Config/herald.yaml"
    }
}
