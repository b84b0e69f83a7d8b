// swift-tools-version:6.0
import PackageDescription

/// Settings shared by every target (see ../shared/STYLE.md).
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "MinilateralLedger",
    products: [
        .executable(name: "ledger", targets: ["LedgerCLI"]),
        // Maintainers' tooling, kept out of `ledger`: benchmarks and the vector generator.
        .executable(name: "ledger-bench", targets: ["LedgerBench"]),
        .library(name: "LedgerCore", targets: ["LedgerCore"]),
        .library(name: "ControlCodes", targets: ["ControlCodes"]),
        .library(name: "Consensus", targets: ["Consensus"]),
        .library(name: "ControlLists", targets: ["ControlLists"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
        // The server (LedgerServer): Hummingbird 2, and swift-log, swift-service-lifecycle and
        // swift-nio, which Hummingbird brings anyway (named because LedgerServer imports them).
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        // HTTP clients: the server's witness client, and LedgerClient (`ledger verify|sync|watch URL`,
        // writes to a URL); TLS serving and /metrics.
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        // The dashboard's server-rendered pages (LedgerWeb).
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        // HTTP field names beyond those Hummingbird re-exports (`Last-Event-ID`: LedgerWeb).
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        // The HTTP parts of Hummingbird's channel pipeline (LedgerServer's tile fast path).
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
    ],
    targets: [
        .systemLibrary(name: "CLibcrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        // LedgerCrypto loads libsodium's run-time library (libsodium.so.23) itself when it is
        // present and otherwise uses OpenSSL's Ed25519; it needs no libsodium headers.
        .target(
            name: "LedgerCrypto",
            dependencies: ["CLibcrypto"],
            swiftSettings: swiftSettings,
            linkerSettings: [.linkedLibrary("dl", .when(platforms: [.linux]))]
        ),
        .target(name: "LedgerCore", dependencies: ["LedgerCrypto"], swiftSettings: swiftSettings),
        // Linux epoll for `ledger-bench load`'s client (Swift's Glibc module does not export it).
        .systemLibrary(name: "CEpoll"),
        // Item codes, schemes, parameters and measures: the vocabulary below Consensus and ControlLists.
        .target(name: "ControlCodes", swiftSettings: swiftSettings),
        .target(
            name: "Consensus", dependencies: ["ControlCodes", "LedgerCore", "LedgerCrypto"],
            swiftSettings: swiftSettings),
        .target(
            name: "ControlLists",
            dependencies: ["ControlCodes", "LedgerCore", "Consensus", "LedgerCrypto"],
            // The shipped lists and correlation tables are compiled in
            // (scripts/embed-assets.sh writes EmbeddedCuratedData.swift from Data/).
            exclude: ["Data"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "LedgerReports",
            dependencies: ["LedgerCore", "LedgerCrypto", "ControlCodes", "Consensus", "ControlLists"],
            swiftSettings: swiftSettings
        ),
        // The HTTP server: C2SP tlog-tiles read API over any LedgerStore (specs/api.md).
        .target(
            name: "LedgerServer",
            dependencies: [
                "LedgerCore", "LedgerCrypto",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            ],
            swiftSettings: swiftSettings
        ),
        // The JSON API and the dashboard over the consensus state a published checkpoint covers.
        .target(
            name: "LedgerWeb",
            dependencies: [
                "LedgerCore", "LedgerServer", "Consensus", "ControlCodes", "ControlLists", "LedgerReports",
                "LedgerCrypto",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            // The dashboard's templates, style sheet and live-update script are compiled in
            // (scripts/embed-assets.sh writes EmbeddedDashboardFiles.swift from them).
            exclude: ["Templates", "Static"],
            swiftSettings: swiftSettings
        ),
        // The HTTP client of a served log: fetches and checks tiles, entry bundles and checkpoints.
        .target(
            name: "LedgerClient",
            dependencies: [
                "LedgerCore", "LedgerCrypto",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "LedgerCLI",
            dependencies: [
                "LedgerCore", "LedgerCrypto", "ControlCodes", "Consensus", "ControlLists", "LedgerReports",
                "LedgerServer", "LedgerWeb", "LedgerClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
        // Test support, shipped in no product: the spec vectors with their fixed TEST seeds,
        // synthetic workloads, and helpers the test targets share.
        .target(
            name: "LedgerTestSupport",
            dependencies: ["LedgerCore", "LedgerCrypto", "ControlCodes", "Consensus", "ControlLists"],
            swiftSettings: swiftSettings
        ),
        // `ledger-bench`: the benchmarks and `dev-vectors` (specs/cli.md, Benchmark).
        .executableTarget(
            name: "LedgerBench",
            dependencies: [
                "LedgerCore", "LedgerCrypto", "ControlCodes", "Consensus", "ControlLists", "LedgerTestSupport",
                .target(name: "CEpoll", condition: .when(platforms: [.linux])),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LedgerCoreTests",
            dependencies: ["LedgerCore", "LedgerCrypto", "LedgerTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ConsensusTests",
            dependencies: ["ControlCodes", "Consensus", "LedgerCore", "LedgerCrypto", "LedgerTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ControlListsTests",
            dependencies: ["ControlCodes", "ControlLists", "Consensus", "LedgerCore", "LedgerTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CLITests",
            dependencies: ["LedgerCore", "LedgerCrypto", "LedgerTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LedgerServerTests",
            dependencies: [
                "LedgerServer", "LedgerCore", "LedgerCrypto", "Consensus", "LedgerClient", "LedgerTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LedgerWebTests",
            dependencies: [
                "LedgerWeb", "LedgerServer", "LedgerCore", "LedgerCrypto", "Consensus", "LedgerTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // `ledger-bench`'s own parts (the load generator's HTTP client).
        .testTarget(name: "LedgerBenchTests", dependencies: ["LedgerBench"], swiftSettings: swiftSettings),
        .testTarget(
            name: "LedgerReportsTests",
            dependencies: ["LedgerReports", "Consensus", "LedgerCore"],
            swiftSettings: swiftSettings
        ),
    ]
)
