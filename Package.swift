// swift-tools-version: 6.2
import PackageDescription

/// Settings shared by every target of ours: Swift 6 mode (strict concurrency), no warnings,
/// and nonisolated async functions that run on their caller's executor (SE-0461), so that
/// a connection's work stays on its event loop instead of hopping to the global executor.
let strict: [SwiftSetting] = [
    .treatAllWarnings(as: .error),
    .enableUpcomingFeature("NonisolatedNonsendingByDefault"),
]

/// The products we use, each named once with its package.
extension Target.Dependency {
    static func nio(_ module: String) -> Self { .product(name: module, package: "swift-nio") }
    static var mustache: Self { .product(name: "Mustache", package: "swift-mustache") }
    static var logging: Self { .product(name: "Logging", package: "swift-log") }
    static var lifecycle: Self { .product(name: "ServiceLifecycle", package: "swift-service-lifecycle") }
    static var prometheus: Self { .product(name: "Prometheus", package: "swift-prometheus") }
    static var metrics: Self { .product(name: "CoreMetrics", package: "swift-metrics") }
    static var crypto: Self { .product(name: "Crypto", package: "swift-crypto") }
    static var argumentParser: Self { .product(name: "ArgumentParser", package: "swift-argument-parser") }
    static var hummingbird: Self { .product(name: "Hummingbird", package: "hummingbird") }
}

let package = Package(
    name: "foiflow",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "foiflow", targets: ["foiflow"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
    ],
    targets: [
        // Pure domain: no I/O, no third-party dependencies.
        .target(name: "Dates", swiftSettings: strict),
        .target(name: "Deadlines", dependencies: ["Dates"], swiftSettings: strict),
        .target(name: "Workflow", dependencies: ["Deadlines", "Mail", "LineProtocol"], swiftSettings: strict),
        .target(name: "LineProtocol", swiftSettings: strict),
        // Statistics: the figures of a period and the page that publishes them (pure).
        .target(
            name: "Statistics", dependencies: ["Dates", "Deadlines", .mustache],
            resources: [.copy("Templates")], swiftSettings: strict),
        // Letters to requesters: which letter an action writes, to whom and how, from templates
        // (shipped as resources, overridable by a folder).
        .target(
            name: "Letters", dependencies: ["Dates", "Deadlines", "Workflow", .mustache],
            resources: [.copy("Templates")], swiftSettings: strict),
        // E-mail: one address checked as one addr-spec, and messages no value can steer (pure).
        .target(name: "Mail", swiftSettings: strict),
        // Whether a child process has ended, from the kernel rather than Foundation's socket.
        .target(name: "ChildProcess", swiftSettings: strict),
        // SHA-256 for token hashes, idempotency keys and migration checksums: swift-crypto's, with hex.
        .target(name: "Digest", dependencies: [.crypto], swiftSettings: strict),

        // File formats read from people: a backlog spreadsheet (CSV), GOV.UK's bank holidays (pure).
        .target(name: "Formats", dependencies: ["Dates", "Deadlines", "Workflow"], swiftSettings: strict),

        // PostgreSQL access: the system library and the only Swift code that touches libpq.
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"]), .brew(["libpq"])]
        ),
        .target(
            name: "Postgres",
            dependencies: ["CLibPQ", "Dates", .nio("NIOPosix"), .nio("NIOCore")],
            swiftSettings: strict
        ),

        // Persistence: all SQL (migrations, users, holidays, requests and events, escalation).
        .target(
            name: "Store",
            dependencies: [
                "Postgres", "Workflow", "Deadlines", "Digest", "Letters", "Statistics", "Mail", "LineProtocol", "Formats",
                .nio("NIOConcurrencyHelpers"),
            ],
            swiftSettings: strict
        ),

        // The line-protocol TCP server.
        .target(
            name: "Server",
            dependencies: [
                "LineProtocol", "Store", "Statistics", "Deadlines", "Workflow", .nio("NIOCore"), .nio("NIOPosix"), .nio("NIOHTTP1"), .metrics,
                .prometheus, .logging, .lifecycle,
            ],
            swiftSettings: strict
        ),

        // The public pages (`serve --web-listen`): Hummingbird over the same stores.
        .target(
            name: "Web",
            dependencies: [
                "Store", "Statistics", "Letters", "Workflow", "Deadlines", "Dates", "Digest", "Mail", "Postgres", .hummingbird, .mustache,
                .logging, .nio("NIOConcurrencyHelpers"),
            ],
            resources: [.copy("Templates")], swiftSettings: strict),

        // The one executable.
        .executableTarget(
            name: "foiflow",
            dependencies: [
                "Server", "Web", "LineProtocol", "Store", "Statistics", "Workflow", "Deadlines", "Dates", "Postgres", "Mail", "ChildProcess",
                "Formats", .argumentParser, .logging, .lifecycle, .prometheus,
            ],
            swiftSettings: strict
        ),

        // Benchmarks (scripts/bench builds them in release mode).
        .executableTarget(
            name: "calendar-bench", dependencies: ["Deadlines"],
            path: "Benchmarks/CalendarBench", swiftSettings: strict),
        .executableTarget(
            name: "server-bench", dependencies: ["Postgres", "Deadlines", "Dates"],
            path: "Benchmarks/ServerBench", swiftSettings: strict),

        .testTarget(name: "DatesTests", dependencies: ["Dates"], swiftSettings: strict),
        .testTarget(
            name: "DeadlinesTests", dependencies: ["Deadlines"],
            exclude: ["Fixtures"], swiftSettings: strict),
        .testTarget(name: "WorkflowTests", dependencies: ["Workflow", "Deadlines", "Dates"], swiftSettings: strict),
        .testTarget(name: "LineProtocolTests", dependencies: ["LineProtocol"], swiftSettings: strict),
        .testTarget(name: "DigestTests", dependencies: ["Digest"], swiftSettings: strict),
        .testTarget(name: "MailTests", dependencies: ["Mail"], swiftSettings: strict),
        .testTarget(name: "LettersTests", dependencies: ["Letters", "Workflow", "Deadlines", "Dates"], swiftSettings: strict),
        .testTarget(name: "StatisticsTests", dependencies: ["Statistics", "Dates", "Deadlines"], swiftSettings: strict),
        .testTarget(name: "PostgresTests", dependencies: ["Postgres", "TestSupport"], swiftSettings: strict),
        .testTarget(
            name: "StoreTests", dependencies: ["Store", "TestSupport", "Workflow", "Deadlines", "Dates", "Digest", "Letters", "Formats"],
            swiftSettings: strict),
        .testTarget(
            name: "ServerTests",
            dependencies: [
                "Server", "TestSupport", "Workflow", "Letters", "Store", "Statistics", "Dates", "Postgres", .nio("NIOCore"), .nio("NIOPosix"),
                .nio("NIOEmbedded"),
            ],
            swiftSettings: strict
        ),
        .testTarget(name: "CLITests", dependencies: ["TestSupport", "ChildProcess", "Workflow", "Deadlines"], swiftSettings: strict),
        .target(
            name: "TestSupport", dependencies: ["Postgres", "Store", "ChildProcess", "Digest"], path: "Tests/TestSupport", swiftSettings: strict),
    ]
)
