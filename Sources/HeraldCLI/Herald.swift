import ArgumentParser
import HeraldCore

/// `herald` — renders outage and status notices from templates and delivers them through durable queues.
///
/// ```
/// herald broadcast outage-apology --audience users.csv --var service=Messenger --var started_at="15:30 KST" --wait
/// ```
public struct Herald: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "herald",
        abstract: "Render outage and status notices from templates and deliver them, durably, through every channel that still works.",
        discussion: """
            Exit status: 0 done; 1 error; 2 --wait ended with messages not delivered, or a drill path failed; 64 usage error.
            Shell completion: herald --generate-completion-script bash|zsh|fish
            """,
        version: HeraldVersion.current,
        subcommands: [
            SendCommand.self, BroadcastCommand.self, BroadcastsCommand.self, StatusCommand.self, MessagesCommand.self, RetryCommand.self,
            CancelCommand.self, IncidentCommand.self, DigestCommand.self, TemplatesCommand.self, ConfigCommand.self, AudienceCommand.self,
            DemoCommand.self, WorkCommand.self, ServeCommand.self, SuppressCommand.self, StatusPageCommand.self,
            DrillCommand.self,
        ]
    )

    public init() {}
}

extension Herald {
    /// `herald --config PATH COMMAND …` is how people type it; the options are parsed by each command,
    /// so global options given before the command are moved after it.
    public static func movingGlobalOptions(_ arguments: [String]) -> [String] {
        let global = ["--config", "--log-level"]
        var leading: [String] = []
        var rest = arguments[...]
        while let first = rest.first, global.contains(where: { first == $0 || first.hasPrefix($0 + "=") }) {
            leading.append(first)
            rest = rest.dropFirst()
            if global.contains(first), let value = rest.first {
                leading.append(value)
                rest = rest.dropFirst()
            }
        }
        return Array(rest) + leading
    }
}
