import FuzzSupport
import OpenPGP

enum SignatureSeeds {
    static func make() throws -> [String: [UInt8]] {
        var seeds: [String: [UInt8]] = [:]
        for (index, key) in Fixtures.secretKeys.enumerated() {
            for armor in [false, true] {
                for format in [LiteralFormat.binary, .text] {
                    let options = MessageOptions(armor: armor, literalFormat: format)
                    seeds["detached-\(index)-\(format)\(armor ? ".asc" : "")"] =
                        [0]
                        + (try OpenPGPMessage.detachedSignature(for: Fixtures.signedData, by: [key], options: options))
                }
            }
            seeds["cleartext-\(index).asc"] =
                [1]
                + Array(
                    try OpenPGPMessage.clearSign(
                        "Fuzzing PGPMail.\n- a dash-escaped line\nFrom here\ntrailing   \n", by: [key]
                    ).utf8)
        }
        seeds["detached-all"] =
            [0]
            + (try OpenPGPMessage.detachedSignature(
                for: Fixtures.signedData, by: Fixtures.secretKeys, options: MessageOptions(armor: false)))
        seeds["cleartext-all.asc"] =
            [1]
            + Array(
                try OpenPGPMessage.clearSign(
                    "Signed by all.\n", by: Fixtures.secretKeys,
                    options: MessageOptions(hash: .sha512)
                ).utf8)
        for (name, seed) in seeds {
            let results: [SignatureVerification]
            if name.hasPrefix("detached") {
                results = try OpenPGPMessage.verifyDetached(
                    Array(seed.dropFirst()), of: Fixtures.signedData, with: Fixtures.certificates)
            } else {
                results = try OpenPGPMessage.verifyCleartext(Array(seed.dropFirst()), with: Fixtures.certificates)
                    .signatures
            }
            let good = !results.isEmpty && results.allSatisfy { $0.status == .good }
            guard good else { throw SeedError(description: "seed \(name) does not verify with the fixtures") }
        }
        return seeds
    }
}
