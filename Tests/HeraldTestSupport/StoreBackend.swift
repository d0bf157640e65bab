import Foundation
import HeraldStore

/// The store backends the conformance suite runs against. PostgreSQL joins this list when its backend lands.
public enum StoreBackend: String, CaseIterable, Sendable {
    case sqlite

    /// A fresh, empty store, and a way to reopen the same data (to prove durability).
    public func makeStore(in directory: TemporaryDirectory) throws -> any MessageStore {
        switch self {
        case .sqlite: try SQLiteMessageStore(path: directory.file("herald.sqlite"))
        }
    }

}

