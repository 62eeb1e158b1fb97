// Keys, inputs and messages for the benchmarks, made once per process on first use (in the
// benchmarks' setup, outside the measurement), and the measured operations.

import Benchmark
import Foundation
import OpenPGP
import Synchronization

enum KeyKind: String, CaseIterable, CustomStringConvertible, Sendable {
    case curve25519 = "Curve25519"
    case rsa3072 = "RSA-3072"

    var description: String { rawValue }

    /// The key pair, generated on first use.
    var keys: KeyPair {
        switch self {
        case .curve25519: KeyPair.curve25519
        case .rsa3072: KeyPair.rsa3072
        }
    }
}

/// A secret key and its certificate: the message is signed by the key and encrypted to the
/// certificate, as a sender encrypting to itself would.
struct KeyPair: Sendable {
    let secret: SecretKey
    let certificate: Certificate

    static let curve25519 = KeyPair(.curve25519)
    static let rsa3072 = KeyPair(.rsa(bits: 3072))

    private init(_ type: SecretKey.KeyType) {
        do {
            secret = try SecretKey.generate(userID: "Benchmark <benchmark@example.org>", type: type)
        } catch {
            fatalError("cannot generate a \(type) key: \(error)")
        }
        certificate = secret.certificate
    }
}

/// The plaintexts.
enum Input: String, Sendable {
    /// Incompressible data.
    case random16MiB
    /// Log-like text that ZIP shrinks about 4-fold.
    case text16MiB
    /// One mail body.
    case text4KiB

    var bytes: [UInt8] {
        switch self {
        case .random16MiB: Inputs.random16MiB
        case .text16MiB: Inputs.text16MiB
        case .text4KiB: Inputs.text4KiB
        }
    }

    /// The options the benchmarks write this input with.
    var options: MessageOptions {
        switch self {
        case .random16MiB: .uncompressed
        case .text16MiB, .text4KiB: .zip6
        }
    }
}

enum Inputs {
    static let random16MiB: [UInt8] = {
        var generator = SystemRandomNumberGenerator()
        var bytes = [UInt8](repeating: 0, count: 16 << 20)
        bytes.withUnsafeMutableBytes { buffer in
            let words = buffer.bindMemory(to: UInt64.self)
            for index in words.indices { words[index] = generator.next() }
        }
        return bytes
    }()
    static let text16MiB = logText(count: 16 << 20)
    static let text4KiB = logText(count: 4 << 10)

    /// `count` bytes of log lines whose numbers vary from line to line (a fixed LCG, so
    /// every run compresses the same).
    static func logText(count: Int) -> [UInt8] {
        let words = ["lorem", "ipsum", "dolor", "sit", "amet", "consectetur", "adipiscing", "elit", "sed", "do"]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: UInt64) -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return (state >> 33) % bound
        }
        var text: [UInt8] = []
        text.reserveCapacity(count + 200)
        var line = 0
        while text.count < count {
            line += 1
            let entry = "2026-05-\(10 + next(20))T\(10 + next(14)):\(10 + next(50)):\(10 + next(50)).\(100 + next(900))Z "
                + "host\(next(32)) smtpd[\(1000 + next(9000))]: message \(line) to user\(next(5000))@example.org "
                + "size=\(next(100_000)) delay=\(next(1000)) ms status=\(["sent", "deferred", "bounced"][Int(next(3))]) "
                + "\(words[Int(next(10))]) \(words[Int(next(10))]) \(words[Int(next(10))])\n"
            text += entry.utf8
        }
        return Array(text.prefix(count))
    }
}

extension MessageOptions {
    static var uncompressed: MessageOptions {
        var options = MessageOptions()
        options.compression = .uncompressed
        return options
    }

    static var zip6: MessageOptions {
        var options = MessageOptions()
        options.compression = .zip
        options.compressionLevel = 6
        return options
    }
}

/// The messages the decrypt benchmarks read, written once per key and input.
enum Messages {
    private struct Key: Hashable {
        let kind: KeyKind
        let input: Input
    }

    private static let cache = Mutex<[Key: [UInt8]]>([:])

    static func message(_ input: Input, _ kind: KeyKind) -> [UInt8] {
        if let cached = cache.withLock({ $0[Key(kind: kind, input: input)] }) { return cached }
        let message: [UInt8]
        do {
            message = try Workload.encrypt(input.bytes, keys: kind.keys, options: input.options)
        } catch {
            fatalError("cannot write the \(input) message for \(kind): \(error)")
        }
        cache.withLock { $0[Key(kind: kind, input: input)] = message }
        return message
    }
}

/// Counts the plaintext instead of keeping it.
final class CountingSink: PlaintextSink {
    private(set) var count = 0
    private(set) var committed = false

    func write(_ bytes: UnsafeRawBufferPointer) throws { count += bytes.count }
    func commit() throws { committed = true }
    func discard() { count = 0 }
}

struct BenchmarkFailure: Error, CustomStringConvertible {
    let description: String
}

enum Workload {
    /// Streams `input` through `MessageWriter` in 64 KiB pieces into a byte counter: the
    /// path of `pgpmail-sop encrypt` and file-to-file encryption.
    static func streamEncrypt(_ input: [UInt8], keys: KeyPair, options: MessageOptions) throws -> Int {
        var written = 0
        try OpenPGPMessage.write(
            from: ArrayByteSource(input), to: { written += $0.count }, recipients: [keys.certificate],
            signers: [keys.secret], options: options)
        return written
    }

    /// Writes one message into memory with `MessageWriter`, as PGP/MIME composition does.
    static func encrypt(_ input: [UInt8], keys: KeyPair, options: MessageOptions) throws -> [UInt8] {
        var output: [UInt8] = []
        let writer = try MessageWriter(
            recipients: [keys.certificate], signers: [keys.secret], options: options) { output += $0 }
        try writer.write(input)
        try writer.finish()
        return output
    }

    /// Decrypts and verifies `message` through the streaming reader into a counting sink,
    /// and fails unless all of the plaintext came out under a good signature.
    static func decryptAndCheck(_ message: [UInt8], keys: KeyPair, expectedCount: Int) throws {
        let sink = CountingSink()
        let report = try OpenPGPMessage.decrypt(
            from: ArrayByteSource(message), to: sink, using: [keys.secret], verifyingWith: [keys.certificate])
        guard sink.committed, sink.count == expectedCount, report.hasGoodSignature else {
            throw BenchmarkFailure(
                description: "decrypted \(sink.count) of \(expectedCount) bytes, committed \(sink.committed), "
                    + "signatures \(report.signatures.map(\.status))")
        }
    }
}

extension BenchmarkMetric {
    /// Plaintext mebibytes per second of one iteration.
    static var mebibytesPerSecond: BenchmarkMetric {
        .custom("Plaintext MiB/s", polarity: .prefersLarger, useScalingFactor: false)
    }
}

extension Benchmark {
    /// Runs `body` once and records its plaintext rate for `byteCount` bytes.
    func measuringMebibytes(_ byteCount: Int, _ body: () throws -> Void) throws {
        let clock = ContinuousClock()
        let elapsed = try clock.measure(body)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        measurement(.mebibytesPerSecond, Int((Double(byteCount) / 1_048_576 / max(seconds, 1e-9)).rounded()))
    }
}
