import ArgumentParser
import HeraldCLI

/// The `herald` executable: argument parsing and everything else live in `HeraldCLI`.
@main
enum HeraldMain {
    static func main() async {
        // Swift Concurrency's jobs run on NIO's event loops instead of a pool of their own, so an API
        // handler or a channel resumes on the thread that does its I/O rather than hopping between two
        // pools: `/healthz` went from 12,500 to 27,000 requests/s on two cores. Nothing in Herald blocks
        // a task for long (SQLite runs on GRDB's own queue), which is what this asks of the code.
        EventLoopJobs.install()
        let arguments = Herald.movingGlobalOptions(Array(CommandLine.arguments.dropFirst()))
        await Herald.main(arguments) as Void
    }
}
