import HeraldStore
import PostgresNIO

/// Any error from the server or the connection to it means the shared store cannot be used right now:
/// the request is worth retrying once PostgreSQL is back.
extension PSQLError: StoreConditionError {
    public var unavailableCondition: String? { plainDescription }
    public var plainDescription: String { "PostgreSQL: \(PostgresStoreError.describe(self))" }
}

extension PostgresTransactionError: StoreConditionError {
    public var unavailableCondition: String? { plainDescription }
    public var plainDescription: String { "PostgreSQL: \(PostgresStoreError.describe(self))" }
}
