import Foundation

/// A message's session key: the cipher and the key that encrypt its data.
///
/// Only revealed on request (SOP's `--session-key-out`); it decrypts the message without
/// any private key, so treat it like one.
public struct SessionKey: Sendable, Equatable {
    public let algorithm: SymmetricAlgorithm
    public let key: SecureBytes

    public init(algorithm: SymmetricAlgorithm, key: SecureBytes) throws {
        guard let size = algorithm.keySize, size == key.count else {
            throw OpenPGPError(
                .invalidArgument, "a \(algorithm) session key has \(algorithm.keySize ?? 0) bytes, not \(key.count)")
        }
        self.algorithm = algorithm
        self.key = key
    }

    /// Parses the SOP text form `ALGORITHM:HEXKEY`, e.g. `9:F0E1…`.
    public init(sopText text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let parts = trimmed.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, let identifier = UInt8(parts[0]), var bytes = bytes(fromHex: String(parts[1])) else {
            throw OpenPGPError(.invalidArgument, "a session key is written ALGORITHM:HEXKEY")
        }
        defer { wipe(&bytes) }
        try self.init(algorithm: SymmetricAlgorithm(rawValue: identifier), key: SecureBytes(bytes))
    }

    /// The SOP text form `ALGORITHM:HEXKEY`.
    public var sopText: String { "\(algorithm.rawValue):" + key.withUnsafeBytes { $0.hexString } }
}
