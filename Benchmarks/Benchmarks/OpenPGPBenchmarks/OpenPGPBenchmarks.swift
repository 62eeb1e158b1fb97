// In-process benchmarks of the OpenPGP message writer and reader (helpers in Workload.swift):
//
// (a) sign + encrypt + armor of a buffer generated in memory, streamed through
//     `MessageWriter` in 64 KiB pieces (`OpenPGPMessage.write(from:to:…)`);
// (b) decrypt + verify of that message through the streaming reader;
// (c) one small (4 KiB) message per iteration, the bulk-mail case, with the default options
//     (ZIP level 6), written in memory as PGP/MIME composition does;
// each for a Curve25519 (Ed25519 + Cv25519) key and an RSA-3072 key; plus 16 MiB of text
// with ZIP level 6 for the compressing path.
//
// The output goes to a counter and the plaintext to a counting sink, so only the engine is
// measured. Peak resident memory includes the 16 MiB input buffer and, for the decrypt
// benchmarks, the whole message held in memory (about 22 MiB armored).

import Benchmark
import OpenPGP

let benchmarks: @Sendable () -> Void = {
    let bulk = Benchmark.Configuration(
        metrics: [
            .wallClock, .cpuTotal, .mebibytesPerSecond, .mallocCountTotal, .mallocBytesCount, .peakMemoryResident,
        ],
        warmupIterations: 1, maxDuration: .seconds(4), maxIterations: 12)
    // No CPU time here: the operating system counts it in 10 ms ticks, coarser than one message.
    let small = Benchmark.Configuration(
        metrics: [.wallClock, .throughput, .mallocCountTotal, .mallocBytesCount, .peakMemoryResident],
        warmupIterations: 5, maxDuration: .seconds(3), maxIterations: 2_000)

    func encryptBulk(_ input: Input, _ kind: KeyKind, _ label: String) {
        Benchmark("Encrypt+sign+armor \(label) (\(kind))", configuration: bulk) { benchmark in
            let plaintext = input.bytes
            try benchmark.measuringMebibytes(plaintext.count) {
                blackHole(try Workload.streamEncrypt(plaintext, keys: kind.keys, options: input.options))
            }
        } setup: {
            _ = input.bytes
            _ = kind.keys
        }
    }

    func decryptBulk(_ input: Input, _ kind: KeyKind, _ label: String) {
        Benchmark("Decrypt+verify \(label) (\(kind))", configuration: bulk) { benchmark in
            let message = Messages.message(input, kind)
            let count = input.bytes.count
            try benchmark.measuringMebibytes(count) {
                try Workload.decryptAndCheck(message, keys: kind.keys, expectedCount: count)
            }
        } setup: {
            _ = Messages.message(input, kind)
        }
    }

    for kind in KeyKind.allCases {
        encryptBulk(.random16MiB, kind, "16 MiB binary, uncompressed")
        decryptBulk(.random16MiB, kind, "16 MiB binary, uncompressed")

        Benchmark("Encrypt+sign+armor 4 KiB message (\(kind))", configuration: small) { benchmark in
            let plaintext = Input.text4KiB.bytes
            for _ in benchmark.scaledIterations {
                blackHole(try Workload.encrypt(plaintext, keys: kind.keys, options: Input.text4KiB.options))
            }
        } setup: {
            _ = Input.text4KiB.bytes
            _ = kind.keys
        }

        Benchmark("Decrypt+verify 4 KiB message (\(kind))", configuration: small) { benchmark in
            let message = Messages.message(.text4KiB, kind)
            let count = Input.text4KiB.bytes.count
            for _ in benchmark.scaledIterations {
                try Workload.decryptAndCheck(message, keys: kind.keys, expectedCount: count)
            }
        } setup: {
            _ = Messages.message(.text4KiB, kind)
        }
    }

    // Deflate dominates the compressing path and does not depend on the key.
    encryptBulk(.text16MiB, .curve25519, "16 MiB text, ZIP level 6")
    decryptBulk(.text16MiB, .curve25519, "16 MiB text, ZIP level 6")
}
