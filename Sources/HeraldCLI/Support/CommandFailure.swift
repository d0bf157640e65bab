import ArgumentParser

/// A command that was typed right but could not do its work (an unknown id, nothing to report): said
/// plainly on standard error with exit status 1. Usage errors (`ValidationError`, from `validate()`)
/// are exit status 64 with the subcommand's usage.
struct CommandFailure: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) { self.description = description }
}

/// The exit statuses `herald` uses besides 0 (done), 1 (error) and 64 (usage).
enum HeraldExit {
    /// `--wait` ended with messages that were not delivered, or a drill path failed.
    static let undelivered = ExitCode(2)
}
