import ArgumentParser
import HeraldCLI

/// The `herald` executable: argument parsing and everything else live in `HeraldCLI`.
@main
extension Herald {}
