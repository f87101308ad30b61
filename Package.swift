// swift-tools-version:6.1
import PackageDescription

// Every module is built in the Swift 6 language mode with these upcoming features,
// as Hummingbird does: explicit `any`, imports internal unless marked `public`, and
// members visible only from modules a file imports itself.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "tradewatch",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "tradewatchd", targets: ["tradewatchd"]),
        .executable(name: "tradewatch", targets: ["tradewatch"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        .package(url: "https://github.com/LebJe/TOMLKit", exact: "0.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", exact: "2.13.0"),
    ],
    targets: [
        // C libraries from the system, each behind a module map. CCurl also carries the
        // non-variadic wrappers that Swift needs around curl_easy_setopt and friends.
        .systemLibrary(
            name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(
            name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(
            name: "CLibCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),

        // The value types every layer shares. Depends only on libcrypto (SHA-256).
        .target(name: "TradeWatchModel", dependencies: ["CLibCrypto"], swiftSettings: swiftSettings),
        // HTTP over libcurl's multi interface. Knows nothing of formats or the cache.
        .target(
            name: "TradeWatchFetch",
            dependencies: [
                "CCurl", "TradeWatchModel",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),
        // Pure parsers: bytes in, records out. No I/O. They read untrusted input, so they keep
        // every memory-safety check, dynamic exclusivity checks included; their inner loops work
        // on locals and on buffers taken out of a property for a run of appends, which the
        // optimizer proves never overlap, so few checks are left on the hot paths.
        .target(
            name: "TradeWatchFormats", dependencies: ["CLibXML2", "TradeWatchModel"],
            swiftSettings: swiftSettings),
        // The versioned SQLite cache. Never parses, never fetches.
        .target(
            name: "TradeWatchCache",
            dependencies: [
                "CZlib", "TradeWatchModel",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings),
        // Configuration/ (TOML, checked in a child process), Scheduling/ (due times, backoff, the
        // scheduler service) and Engine/ (fetch -> parse -> reconcile -> record, `SyncErrorCode`).
        // No sockets, signals or systemd: that plumbing is TradeWatchDaemon's.
        .target(
            name: "TradeWatchSync",
            dependencies: [
                "TradeWatchModel", "TradeWatchFetch", "TradeWatchFormats", "TradeWatchCache",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings),
        // The daemon's process plumbing: systemd notify, the control socket (server and the
        // client `tradewatch sync` and `status` use), SIGHUP reload, log lines, argv checks.
        .target(
            name: "TradeWatchDaemon",
            dependencies: [
                "TradeWatchSync", "TradeWatchCache", "TradeWatchModel",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings),
        // Snapshot writers and the data-package manifest. Reads the cache, never writes it.
        .target(
            name: "TradeWatchExport",
            dependencies: ["TradeWatchModel", "TradeWatchCache", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: swiftSettings),

        // The daemon wires the services into one group; the CLI reads the cache, inspects and
        // exports, and asks the daemon over the control socket.
        .executableTarget(
            name: "tradewatchd",
            dependencies: [
                "TradeWatchDaemon", "TradeWatchSync", "TradeWatchCache", "TradeWatchFetch", "TradeWatchModel",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "tradewatch",
            dependencies: [
                "TradeWatchModel", "TradeWatchFetch", "TradeWatchFormats", "TradeWatchCache",
                "TradeWatchSync", "TradeWatchDaemon", "TradeWatchExport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings),

        // Benchmarks and the load generator the crash tests kill; not installed.
        .executableTarget(
            name: "tradewatch-bench",
            dependencies: [
                "TradeWatchModel", "TradeWatchFetch", "TradeWatchCache", "TradeWatchFormats", "TradeWatchSync",
                "CLibXML2",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings),

        // Helpers the test targets share: the loopback scenario server, temporary folders,
        // running the built executables.
        .target(
            name: "TestSupport", dependencies: ["TradeWatchFetch"], path: "Tests/TestSupport",
            swiftSettings: swiftSettings),

        .testTarget(
            name: "TradeWatchModelTests", dependencies: ["TradeWatchModel"], swiftSettings: swiftSettings),
        .testTarget(
            name: "TradeWatchFetchTests", dependencies: ["TradeWatchFetch", "TradeWatchModel", "TestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "TradeWatchFormatsTests", dependencies: ["TradeWatchFormats", "TradeWatchModel", "TestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "TradeWatchCacheTests",
            dependencies: [
                "TradeWatchCache", "TradeWatchModel", "TradeWatchFormats", "TestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "TradeWatchSyncTests",
            dependencies: [
                "TradeWatchSync", "TradeWatchDaemon", "TradeWatchModel", "TradeWatchCache", "TradeWatchFetch",
                "TradeWatchFormats", "TestSupport", .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "TradeWatchExportTests",
            dependencies: [
                "TradeWatchExport", "TradeWatchCache", "TradeWatchModel", "TradeWatchFormats", "TestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings),
        // Runs the built executables end to end.
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "TradeWatchModel", "TradeWatchCache", "TradeWatchFormats", "TradeWatchSync", "TestSupport",
            ],
            swiftSettings: swiftSettings),
    ]
)

// The fuzz targets (`scripts/fuzz`) exist only when asked for: they link libFuzzer's main.
if Context.environment["TRADEWATCH_FUZZ"] != nil {
    package.targets.append(
        .executableTarget(
            name: "tradewatch-fuzz",
            dependencies: ["TradeWatchFormats", "TradeWatchModel", "TradeWatchSync"],
            swiftSettings: swiftSettings + [.unsafeFlags(["-parse-as-library"])]))
    package.products.append(.executable(name: "tradewatch-fuzz", targets: ["tradewatch-fuzz"]))
}
