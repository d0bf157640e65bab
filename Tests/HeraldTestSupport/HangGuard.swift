import Testing

extension Trait where Self == TimeLimitTrait {
    /// For suites that wait on sockets, child processes or other tasks: a test that hangs fails after
    /// three minutes, naming itself, instead of stalling the whole run until CI gives up on it.
    public static var hangGuard: Self { .timeLimit(.minutes(3)) }
}
