// swift-tools-version: 6.1
//
// PGPMail: compose email, sign and/or encrypt it with OpenPGP, deliver it over SMTP.
// Module map: Sources/<Module>; the architecture is described in docs/ARCHITECTURE.md.

import PackageDescription

let package = Package(
    name: "PGPMail",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "PGPMail", targets: ["PGPMail"]),
        .library(name: "OpenPGP", targets: ["OpenPGP"]),
        .library(name: "Mail", targets: ["Mail"]),
        .library(name: "SMTP", targets: ["SMTP"]),
        // The PostgreSQL-backed mail queue (postgres-nio); a separate product so that users of
        // the directory queue do not link a database driver.
        .library(name: "PGPMailPostgres", targets: ["PGPMailPostgres"]),
        // A testing product: an in-process SMTP server for applications' own tests. Nothing in
        // the library products above imports it.
        .library(name: "SMTPTestServer", targets: ["SMTPTestServer"]),
        // The executable target is `PGPMailCLI`, not `pgpmail`: on a case-insensitive file
        // system a module `pgpmail` would collide with the library `PGPMail`.
        .executable(name: "pgpmail", targets: ["PGPMailCLI"]),
        // The Stateless OpenPGP command line interface over the OpenPGP module.
        .executable(name: "pgpmail-sop", targets: ["PGPMailSOP"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-async-algorithms", from: "1.1.4"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.7.3"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        // Only the sample server application (Samples/OutboxServer) uses Hummingbird.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
    ],
    targets: [
        // System libraries.
        .systemLibrary(
            name: "COpenSSL", pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"]), .brew(["openssl@3"])]),
        .systemLibrary(
            name: "CZlib", pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(
            name: "CBZip2",
            providers: [.apt(["libbz2-dev"]), .brew(["bzip2"])]),
        .systemLibrary(
            name: "CArgon2", pkgConfig: "libargon2",
            providers: [.apt(["libargon2-dev"]), .brew(["argon2"])]),

        // Libraries.
        .target(
            name: "OpenPGP",
            dependencies: ["COpenSSL", "CZlib", "CBZip2", "CArgon2"]),
        .target(
            name: "Mail",
            dependencies: [
                "OpenPGP",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]),
        .target(
            name: "SMTP",
            dependencies: [
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncAlgorithms", package: "swift-async-algorithms"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        .target(
            name: "SMTPTestServer",
            dependencies: [
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .target(
            name: "PGPMail",
            dependencies: [
                "OpenPGP", "Mail", "SMTP",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        .target(
            name: "PGPMailPostgres",
            dependencies: [
                "PGPMail",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),

        // Executables.
        .executableTarget(
            name: "PGPMailCLI",
            dependencies: [
                "PGPMail", "PGPMailPostgres", "SMTPTestServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]),
        .executableTarget(
            name: "PGPMailSOP",
            dependencies: [
                "OpenPGP",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .executableTarget(
            name: "SendEncrypted",
            dependencies: ["PGPMail", "SMTPTestServer"],
            path: "Samples/SendEncrypted"),
        // A Hummingbird application that enqueues mail in the same transaction as its own rows
        // and delivers it with a queue worker; all parts are ServiceLifecycle services.
        .executableTarget(
            name: "OutboxServer",
            dependencies: [
                "PGPMail", "PGPMailPostgres",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Samples/OutboxServer"),

        // Tests.
        // Shared fixtures for test targets: real SMTP servers (aiosmtpd, Postfix) with TLS and
        // AUTH, certificates generated at test time, and a process runner. In no product.
        .target(
            name: "TestSupport",
            dependencies: [
                "SMTP",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            path: "Tests/TestSupport"),
        .testTarget(name: "OpenPGPTests", dependencies: ["OpenPGP"], exclude: ["Resources"]),
        .testTarget(name: "MailTests", dependencies: ["Mail", "OpenPGP"]),
        .testTarget(
            name: "SMTPTests",
            dependencies: [
                "PGPMail", "SMTP", "SMTPTestServer", "TestSupport",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]),
        .testTarget(name: "SMTPTestServerTests", dependencies: ["SMTPTestServer"]),
        .testTarget(
            name: "InteropTests",
            dependencies: [
                "PGPMail", "PGPMailCLI", "PGPMailSOP", "SMTPTestServer", "TestSupport",
                // The PostgreSQL queue's tests run a private PostgreSQL cluster and the sample app.
                "PGPMailPostgres", "OutboxServer", .product(name: "PostgresNIO", package: "postgres-nio"),
            ]),
        .testTarget(name: "IntegrationTests", dependencies: ["PGPMail", "TestSupport"]),
        .testTarget(
            name: "MailQueueTests",
            dependencies: [
                "PGPMail", "SMTPTestServer", .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
                .product(name: "Instrumentation", package: "swift-distributed-tracing"),
            ]),
    ]
)
