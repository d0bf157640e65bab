import Foundation
import HeraldCore
import HeraldDispatch
import HeraldStore

/// What the routes work with, built once per process.
public struct APIServices: Sendable {
    public var configuration: HeraldConfiguration
    public var store: any MessageStore
    public var intake: NoticeIntake
    public var clock: any WallClock
    /// Whether the delivery workers of this process are running (for `/readyz`).
    public var workersRunning: @Sendable () -> Bool

    public init(
        configuration: HeraldConfiguration, store: any MessageStore, intake: NoticeIntake, clock: any WallClock,
        workersRunning: @escaping @Sendable () -> Bool
    ) {
        self.configuration = configuration
        self.store = store
        self.intake = intake
        self.clock = clock
        self.workersRunning = workersRunning
    }

    /// Cancel and retry, as `herald cancel` and `herald retry` do them.
    var operatorDesk: OperatorDesk { OperatorDesk(store: store, configuration: configuration, clock: clock) }

    /// The suppression list, as `herald suppress` changes it.
    var consentDesk: ConsentDesk { ConsentDesk(store: store, configuration: configuration, clock: clock) }

    /// The status page's e-mail subscriptions.
    var subscriptionDesk: SubscriptionDesk { SubscriptionDesk(store: store, intake: intake, configuration: configuration, clock: clock) }
}
