// pgpmail-small-bench: the bulk-mail case in process, single thread. Composes N distinct
// messages with a small text body, signs and encrypts each as PGP/MIME
// (`MailMessage.signedAndEncrypted`) and renders it to bytes, then reports messages/s.
//
//   pgpmail-small-bench [--count N] [--body-bytes N] [--runs N] [--warmup N]
//                       [--key FILE --cert FILE | --generate curve25519|rsa3072]
//                       [--compression zip|none] [--out FILE]
//
// --key signs (a secret key, armored or binary), --cert is the recipient. Without them a
// signing key and a separate recipient key of the --generate type (default curve25519) are
// made in process. --out writes the last message rendered. The last two lines of the output
// are `msg/s <rate>` (messages per wall-clock second) and `msg/cpu-s <rate>` (per second of
// this thread's CPU time, steadier on a shared machine), medians of the runs, for scripts.

import Foundation
import Mail
import OpenPGP

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

struct UsageError: Error, CustomStringConvertible {
    let description: String
}

/// `--name value` pairs after the program name.
func parseArguments(_ arguments: ArraySlice<String>) throws -> [String: String] {
    var values: [String: String] = [:]
    var rest = arguments
    while let argument = rest.popFirst() {
        guard argument.hasPrefix("--") else { throw UsageError(description: "unexpected argument \(argument)") }
        guard let value = rest.popFirst() else { throw UsageError(description: "\(argument) needs a value") }
        values[String(argument.dropFirst(2))] = value
    }
    return values
}

func readFile(_ path: String) throws -> [UInt8] {
    guard let data = FileManager.default.contents(atPath: path) else {
        throw UsageError(description: "cannot read \(path)")
    }
    return Array(data)
}

func number(_ values: [String: String], _ name: String, default fallback: Int) throws -> Int {
    guard let text = values[name] else { return fallback }
    guard let value = Int(text), value >= 0 else {
        throw UsageError(description: "--\(name) takes a number, not \(text)")
    }
    return value
}

/// `count` distinct ASCII bodies of `size` bytes: a numbered first line, then lines of words
/// and numbers from a fixed LCG.
func makeBodies(count: Int, size: Int) -> [String] {
    let words = ["lorem", "ipsum", "dolor", "sit", "amet", "consectetur", "adipiscing", "elit", "sed", "do"]
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    func next(_ bound: UInt64) -> UInt64 {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return (state >> 33) % bound
    }
    return (0..<count).map { index in
        var text = "Message \(index): your statement for account \(next(1_000_000)) is ready.\r\n"
        while text.utf8.count < size {
            text +=
                "\(words[Int(next(10))]) \(words[Int(next(10))]) \(next(100_000)) \(words[Int(next(10))]) "
                + "\(words[Int(next(10))]) \(next(1000)).\(next(100)) \(words[Int(next(10))])\r\n"
        }
        return String(text.utf8.prefix(size))!
    }
}

/// This thread's CPU time in seconds.
func threadCPUSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
}

func run() throws {
    let values = try parseArguments(CommandLine.arguments.dropFirst())
    let count = try number(values, "count", default: 5000)
    let bodyBytes = try number(values, "body-bytes", default: 2048)
    let runs = max(1, try number(values, "runs", default: 1))
    let warmup = try number(values, "warmup", default: min(200, count))

    let signer: SecretKey
    let recipient: Certificate
    let keyDescription: String
    if let keyPath = values["key"] {
        guard let certPath = values["cert"] else { throw UsageError(description: "--key needs --cert") }
        guard let key = try SecretKey.readKeyring(try readFile(keyPath)).first,
            let cert = try Certificate.readKeyring(try readFile(certPath)).first
        else { throw UsageError(description: "no key in \(keyPath) or no certificate in \(certPath)") }
        (signer, recipient, keyDescription) = (key, cert, "keys from \(keyPath), \(certPath)")
    } else {
        let type: SecretKey.KeyType
        switch values["generate"] ?? "curve25519" {
        case "curve25519": type = .curve25519
        case "rsa3072": type = .rsa(bits: 3072)
        case let other: throw UsageError(description: "--generate takes curve25519|rsa3072, not \(other)")
        }
        signer = try SecretKey.generate(userID: "Sender <sender@example.org>", type: type)
        recipient = try SecretKey.generate(userID: "Recipient <recipient@example.org>", type: type).certificate
        keyDescription = "generated \(values["generate"] ?? "curve25519") keys"
    }

    var options = MessageOptions()
    switch values["compression"] ?? "zip" {
    case "zip": options.compression = .zip
    case "none": options.compression = .uncompressed
    case let other: throw UsageError(description: "--compression takes zip|none, not \(other)")
    }

    let bodies = makeBodies(count: count, size: bodyBytes)
    let from = try MailAddress("Sender <sender@example.org>")
    let to = [try MailAddress("Recipient <recipient@example.org>")]

    /// Composes, protects and renders message `index`; returns its size.
    func message(_ index: Int) throws -> [UInt8] {
        let plain = try MailMessage(from: from, to: to, subject: "Statement \(index)", body: bodies[index])
        return try plain.signedAndEncrypted(by: signer, for: [recipient], options: options).renderedBytes()
    }

    for index in 0..<min(warmup, count) { _ = try message(index) }
    let clock = ContinuousClock()
    var rates: [Double] = []
    var cpuRates: [Double] = []
    var totalBytes = 0
    var last: [UInt8] = []
    for run in 1...runs {
        totalBytes = 0
        let cpuStart = threadCPUSeconds()
        let elapsed = try clock.measure {
            for index in 0..<count {
                last = try message(index)
                totalBytes += last.count
            }
        }
        let cpuSeconds = threadCPUSeconds() - cpuStart
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        let rate = Double(count) / max(seconds, 1e-9)
        rates.append(rate)
        cpuRates.append(Double(count) / max(cpuSeconds, 1e-9))
        print(
            "run \(run): \(count) messages (\(bodyBytes)-byte body, \(keyDescription), "
                + "\(options.compression == .zip ? "ZIP level 6" : "uncompressed")) in "
                + String(
                    format: "%.3f s (%.3f s CPU): %.0f msg/s, %.0f bytes/message", seconds, cpuSeconds, rate,
                    Double(totalBytes) / Double(max(count, 1))))
    }
    if let out = values["out"] {
        guard FileManager.default.createFile(atPath: out, contents: Data(last)) else {
            throw UsageError(description: "cannot write \(out)")
        }
    }
    print(String(format: "msg/s %.1f", rates.sorted()[rates.count / 2]))
    print(String(format: "msg/cpu-s %.1f", cpuRates.sorted()[cpuRates.count / 2]))
}

do {
    try run()
} catch {
    FileHandle.standardError.write(Data("pgpmail-small-bench: \(error)\n".utf8))
    exit(1)
}
