import FuzzSupport
import OpenPGP

enum KeySeeds {
    static func make() throws -> [String: [UInt8]] {
        var seeds: [String: [UInt8]] = [:]
        for (index, key) in Fixtures.secretKeys.enumerated() {
            seeds["cert-\(index).bin"] = key.certificate.serialized()
            seeds["cert-\(index).asc"] = Array(key.certificate.armored().utf8)
            seeds["secret-\(index).bin"] = try key.serialized()
            seeds["secret-\(index)-protected.bin"] = try key.serialized(passphrase: Fixtures.passphrase)
            seeds["secret-\(index)-protected.asc"] = Array(try key.armored(passphrase: Fixtures.passphrase).utf8)
        }
        seeds["keyring.bin"] = Fixtures.certificates.flatMap { $0.serialized() }
        seeds["keyring-mixed.bin"] = try Fixtures.secretKeys.flatMap { try $0.serialized() } + Fixtures.certificates[0].serialized()
        return seeds
    }
}
