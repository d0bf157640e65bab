// swift-tools-version: 6.1
import PackageDescription

/// Our own targets fail on any warning (dependencies are built with warnings suppressed), and their
/// release builds optimise across our modules: a send passes through five of them, and inlining and
/// specialising across those boundaries measured about 4 % more accepted sends per second.
let ownTargets: [SwiftSetting] = [
    .unsafeFlags(["-warnings-as-errors"]),
    .unsafeFlags(["-cross-module-optimization"], .when(configuration: .release)),
]

let package = Package(
    name: "Herald",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "herald", targets: ["herald"]),
        .executable(name: "herald-http-loop", targets: ["HTTPClientLoop"]),
        .library(name: "HeraldCore", targets: ["HeraldCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.7.3"),
        // OTLP/HTTP only: the gRPC exporter's dependencies are left unbuilt.
        .package(url: "https://github.com/swift-otel/swift-otel", from: "1.6.0", traits: ["OTLPHTTP"]),
    ],
    targets: [
        // Model, configuration, templates, routing and retry policy: no I/O libraries.
        .target(
            name: "HeraldCore",
            dependencies: [
                .product(name: "Yams", package: "Yams"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: ownTargets
        ),
        // The durable queue's contract: the store protocols and their roles, the values they carry,
        // and the in-memory store the Dispatch and API tests run on. No database library.
        .target(
            name: "HeraldStore",
            dependencies: ["HeraldCore", .product(name: "NIOPosix", package: "swift-nio")],
            swiftSettings: ownTargets
        ),
        // The embedded queue: one SQLite file through GRDB.
        .target(
            name: "HeraldSQLite",
            dependencies: [
                "HeraldCore", "HeraldStore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            swiftSettings: ownTargets
        ),
        // The shared queue for many nodes: PostgreSQL through postgres-nio.
        .target(
            name: "HeraldPostgres",
            dependencies: [
                "HeraldCore", "HeraldStore",
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: ownTargets
        ),
        // What operators see of a running Herald: the Prometheus registry with every series it records,
        // and the spans of accepts and deliveries (through whichever tracer the process was given).
        .target(
            name: "HeraldTelemetry",
            dependencies: [
                "HeraldCore", "HeraldStore", .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Instrumentation", package: "swift-distributed-tracing"),
            ],
            swiftSettings: ownTargets
        ),
        // Transports behind the `Channel` protocol.
        .target(
            name: "HeraldChannels",
            dependencies: [
                "HeraldCore", "SMTPClient",
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: ownTargets
        ),
        // A SwiftNIO SMTP client that knows nothing of Herald: reply parsing, the protocol state machine, MIME.
        .target(
            name: "SMTPClient",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: ownTargets
        ),
        // Workers that claim, deliver and record, as services.
        .target(
            name: "HeraldDispatch",
            dependencies: [
                "HeraldCore",
                "HeraldStore",
                "HeraldTelemetry",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: ownTargets
        ),
        // The HTTP API (Hummingbird): routes, bearer auth, problem+json errors, idempotency, metrics.
        .target(
            name: "HeraldAPI",
            dependencies: [
                "HeraldCore", "HeraldStore", "HeraldDispatch", "HeraldTelemetry",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["OpenAPI/openapi.yaml"],
            swiftSettings: ownTargets
        ),
        // The command line: parses arguments and wires the other targets together.
        .target(
            name: "HeraldCLI",
            dependencies: [
                "HeraldCore", "HeraldStore", "HeraldSQLite", "HeraldPostgres", "HeraldChannels", "HeraldDispatch", "HeraldAPI", "HeraldSinks",
                "HeraldTelemetry",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "OTel", package: "swift-otel"),
                .product(name: "Instrumentation", package: "swift-distributed-tracing"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: ownTargets
        ),
        .executableTarget(
            name: "herald",
            dependencies: [
                "HeraldCLI", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: ownTargets
        ),

        // scripts/bench's "HTTP client alone": a loop of POSTs through AsyncHTTPClient, or through
        // Herald's webhook channel, with no queue, store or worker around it.
        .executableTarget(
            name: "HTTPClientLoop",
            dependencies: [
                "HeraldChannels", "HeraldCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Benchmarks/HTTPClientLoop",
            swiftSettings: ownTargets
        ),

        // Receivers on 127.0.0.1 that record what they get and answer as scripted: an HTTP sink and an
        // SMTP server. `herald demo` runs them; the tests use them to inject faults.
        .target(
            name: "HeraldSinks",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: ownTargets
        ),
        // Test-only helpers shared by the test targets: a manual clock, real third-party servers, temp folders.
        .target(
            name: "HeraldTestSupport",
            dependencies: [
                "HeraldCore", "HeraldStore", "HeraldSQLite", "HeraldPostgres", "HeraldSinks",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/HeraldTestSupport",
            swiftSettings: ownTargets
        ),
        .testTarget(name: "HeraldCoreTests", dependencies: ["HeraldCore"], swiftSettings: ownTargets),
        .testTarget(
            name: "SMTPClientTests",
            dependencies: [
                "SMTPClient", "HeraldSinks", "HeraldTestSupport",
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: ownTargets
        ),
        .testTarget(
            name: "HeraldStoreTests", dependencies: ["HeraldStore", "HeraldSQLite", "HeraldTestSupport", .product(name: "GRDB", package: "GRDB.swift")], swiftSettings: ownTargets
        ),
        .testTarget(
            name: "HeraldChannelsTests",
            dependencies: [
                "HeraldChannels", "HeraldTestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: ownTargets
        ),
        .testTarget(
            name: "HeraldDispatchTests",
            dependencies: [
                "HeraldDispatch", "HeraldChannels", "HeraldTelemetry", "HeraldTestSupport",
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: ownTargets
        ),
        .testTarget(name: "HeraldCLITests", dependencies: ["HeraldCLI", "HeraldSQLite", "HeraldTestSupport"], swiftSettings: ownTargets),
        .testTarget(
            name: "HeraldAPITests",
            dependencies: [
                "HeraldAPI", "HeraldChannels", "HeraldSQLite", "HeraldTelemetry", "HeraldTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: ownTargets
        ),
    ]
)
