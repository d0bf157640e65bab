import ArgumentParser

/// `herald` — renders outage and status notices from templates and delivers them through durable queues.
///
/// ```
/// herald broadcast outage-apology --audience users.csv --var service=Messenger --var started_at="15:30 KST" --wait
/// ```
public struct Herald: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "herald",
        abstract: "Render outage and status notices from templates and deliver them, durably, through every channel that still works.",
        subcommands: [
            SendCommand.self, BroadcastCommand.self, StatusCommand.self, MessagesCommand.self, TemplatesCommand.self,
            WorkCommand.self, ServeCommand.self,
        ]
    )

    public init() {}
}
