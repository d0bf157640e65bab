import ArgumentParser
import HeraldCLI

/// The `herald` executable: argument parsing and everything else live in `HeraldCLI`.
@main
enum HeraldMain {
    static func main() async {
        let arguments = Herald.movingGlobalOptions(Array(CommandLine.arguments.dropFirst()))
        await Herald.main(arguments) as Void
    }
}
