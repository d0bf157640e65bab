import Foundation
import HeraldCore
import HeraldStore
import HeraldTestSupport
import Testing

/// `storage: postgres://…` from the command line. (Two nodes sharing one PostgreSQL queue, one of them
/// killed, is in `CrashRecoveryTests`, so the heavy kill tests run one at a time.)
@Suite("PostgreSQL storage from the command line", .hangGuard)
struct PostgresStorageCommandTests {
    @Test func anUnreachableServerIsAConfigErrorThatNamesItButNotThePassword() async throws {
        let workspace = try HeraldProcess.workspace()
        let herald = HeraldProcess(workingDirectory: workspace.path)
        let closed = try HTTPSink.refusingPort()
        workspace.write(
            "herald.yaml",
            """
            storage: postgres://herald:s3cret-pw@127.0.0.1:\(closed)/herald?sslmode=disable
            templates: Templates
            channels: { outbox: { kind: outbox, path: outbox } }
            routes: { default: [outbox] }
            """
        )
        let status = try await herald.run(["--config", "herald.yaml", "status"])
        #expect(status.status != 0)
        #expect(status.stderr.contains("storage"), "\(status.stderr)")
        #expect(status.stderr.contains("127.0.0.1:\(closed)/herald"), "\(status.stderr)")
        #expect(!status.stderr.contains("s3cret-pw"))
        #expect(!status.stdout.contains("s3cret-pw"))
    }
}
