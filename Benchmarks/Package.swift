// swift-tools-version: 6.1
//
// Benchmarks for PGPMail, kept out of the main package so that its users never resolve the
// benchmark dependencies. See README.md: `swift package benchmark` runs the in-process
// benchmarks, scripts/compare-gpg.sh the side-by-side comparison with gpg.

import PackageDescription

let package = Package(
    name: "PGPMailBenchmarks",
    platforms: [.macOS(.v14)],
    products: [
        // Streams a file into a message (or a message into a file) with every MessageOptions
        // setting selectable, for the gpg comparison.
        .executable(name: "pgpmail-stream", targets: ["PGPMailStream"]),
        // Messages per second through SMTPClient (plain and PGP/MIME), for the smtp-source and
        // pysequoia comparison (scripts/compare-bulk.sh).
        .executable(name: "pgpmail-bulk-bench", targets: ["PGPMailBulkBench"]),
        // Signs, encrypts and renders many small PGP/MIME messages in process and reports
        // messages/s, for the pysequoia comparison.
        .executable(name: "pgpmail-small-bench", targets: ["PGPMailSmallBench"]),
    ],
    dependencies: [
        .package(name: "PGPMail", path: ".."),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "OpenPGPBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "OpenPGP", package: "PGPMail"),
            ],
            path: "Benchmarks/OpenPGPBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "PGPMailStream",
            dependencies: [.product(name: "OpenPGP", package: "PGPMail")]
        ),
        .executableTarget(
            name: "PGPMailBulkBench",
            dependencies: [
                .product(name: "PGPMail", package: "PGPMail"),
                .product(name: "PGPMailPostgres", package: "PGPMail"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "PGPMailSmallBench",
            dependencies: [
                .product(name: "Mail", package: "PGPMail"),
                .product(name: "OpenPGP", package: "PGPMail"),
            ]
        ),
    ]
)
