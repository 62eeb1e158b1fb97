// swift-tools-version: 6.1
//
// libFuzzer targets for PGPMail. A separate package, so that users of PGPMail never build it.
// Build and run through `run.sh` (see README.md): every target is compiled with
// `-sanitize=fuzzer,address`, passed on the command line so that the library modules are
// instrumented too.

import PackageDescription

/// The fuzz targets and the products each one tests.
let fuzzTargets: [(name: String, products: [String])] = [
    ("FuzzKeys", ["OpenPGP"]),
    ("FuzzMessage", ["OpenPGP"]),
    ("FuzzSignature", ["OpenPGP"]),
    ("FuzzMIME", ["OpenPGP", "Mail"]),
    ("FuzzHeaders", ["Mail"]),
    ("FuzzSMTPReply", ["SMTP"]),
    ("FuzzProxyReply", ["SMTP"]),
    ("FuzzSASL", ["SMTP"]),
    ("FuzzSMTPClient", ["SMTP"]),
    ("FuzzQueueEntry", ["PGPMail"]),
]

let package = Package(
    name: "PGPMailFuzz",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "PGPMail", path: ".."),
        // For `ByteBuffer`, the SMTP reply parser's input; the version PGPMail uses.
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        // Declares libFuzzer's `LLVMFuzzerRunDriver` for Swift.
        .target(name: "CFuzzerDriver"),
        // The driver glue and the key fixtures every target shares.
        .target(
            name: "FuzzSupport",
            dependencies: [
                "CFuzzerDriver",
                .product(name: "OpenPGP", package: "PGPMail"),
            ]),
    ]
        + fuzzTargets.map { target in
            .executableTarget(
                name: target.name,
                dependencies: ["FuzzSupport"] + target.products.map { .product(name: $0, package: "PGPMail") }
                    + (target.name == "FuzzSMTPReply" ? [.product(name: "NIOCore", package: "swift-nio")] : []),
                // GNU gold crashes linking the sanitized objects (an internal error in
                // dwarf_reader.cc); lld links them.
                linkerSettings: [.unsafeFlags(["-use-ld=lld"], .when(platforms: [.linux]))])
        }
)
