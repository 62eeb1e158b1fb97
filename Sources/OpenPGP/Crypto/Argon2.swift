import CArgon2
import Foundation

/// Argon2id (RFC 9106) over libargon2, as the Argon2 S2K uses it (RFC 9580 §3.7.1.4):
/// version 0x13, no secret value, no associated data.
enum Argon2 {
    /// Derives `count` bytes from `password` and `salt` with `passes` passes over
    /// `memoryKiB` KiB in `lanes` lanes, computed on up to as many threads as there are
    /// cores. The caller bounds the parameters: libargon2 allocates the memory at once.
    static func deriveArgon2id(
        password: SecureBytes, salt: [UInt8], passes: Int, memoryKiB: Int, lanes: Int, count: Int
    ) throws -> SecureBytes {
        guard let outputLength = UInt32(exactly: count), let passwordLength = UInt32(exactly: password.count),
            let saltLength = UInt32(exactly: salt.count), let timeCost = UInt32(exactly: passes),
            let memoryCost = UInt32(exactly: memoryKiB), let laneCount = UInt32(exactly: lanes), lanes > 0
        else {
            throw OpenPGPError(
                .invalidArgument,
                "Argon2 parameters out of range (t = \(passes), p = \(lanes), \(memoryKiB) KiB, \(count) bytes)")
        }
        let threads = UInt32(min(lanes, max(1, ProcessInfo.processInfo.activeProcessorCount)))
        var output = [UInt8](repeating: 0, count: count)
        defer { wipe(&output) }
        var saltBytes = salt
        // libargon2 only reads the password (no ARGON2_FLAG_CLEAR_PASSWORD), so the secret
        // is passed in place rather than copied.
        let status = password.withUnsafeBytes { passwordBytes in
            saltBytes.withUnsafeMutableBytes { saltBuffer in
                output.withUnsafeMutableBytes { outputBuffer in
                    var context = argon2_context(
                        out: outputBuffer.baseAddress?.assumingMemoryBound(to: UInt8.self), outlen: outputLength,
                        pwd: UnsafeMutablePointer(
                            mutating: passwordBytes.baseAddress?.assumingMemoryBound(to: UInt8.self)),
                        pwdlen: passwordLength,
                        salt: saltBuffer.baseAddress?.assumingMemoryBound(to: UInt8.self), saltlen: saltLength,
                        secret: nil, secretlen: 0, ad: nil, adlen: 0,
                        t_cost: timeCost, m_cost: memoryCost, lanes: laneCount, threads: threads,
                        version: ARGON2_VERSION_13.rawValue, allocate_cbk: nil, free_cbk: nil, flags: 0)
                    return argon2_ctx(&context, Argon2_id)
                }
            }
        }
        guard status == ARGON2_OK.rawValue else {
            let reason = argon2_error_message(status).map { String(cString: $0) } ?? "error \(status)"
            throw OpenPGPError(.cryptoFailure, "Argon2 failed: \(reason)")
        }
        return SecureBytes(output)
    }
}
