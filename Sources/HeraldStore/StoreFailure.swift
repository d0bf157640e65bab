/// An error a store backend knows how to explain: its own library's errors conform in the backend's
/// target, so callers (the API's problem details, `/readyz`) classify them without linking a database.
public protocol StoreConditionError: Error {
    /// The condition in plain words when the store cannot be used right now (a full disk, a read-only
    /// file, a lock held elsewhere, an unreachable server); `nil` when the request itself was wrong.
    var unavailableCondition: String? { get }
    /// One line naming what failed, without the library's dump.
    var plainDescription: String { get }
}

/// What a store error means for a caller, in plain words: whether the store cannot be used right now
/// — worth a 503 and a retry, not a 500 — and a line that names the condition.
public enum StoreFailure {
    /// Whether the error says the store is unavailable now rather than that a request was wrong.
    public static func isUnavailable(_ error: any Error) -> Bool {
        (error as? any StoreConditionError)?.unavailableCondition != nil
    }

    /// One line for logs, `/readyz` and problem details.
    public static func plain(_ error: any Error) -> String {
        guard let error = error as? any StoreConditionError else { return String(describing: error) }
        return error.unavailableCondition ?? error.plainDescription
    }
}
