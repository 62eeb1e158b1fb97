import COpenSSL

/// One key in one OpenPGP AEAD mode (RFC 9580 §5.13.3–5.13.5), used one chunk at a time:
/// `seal` turns a nonce, associated data and plaintext into ciphertext followed by a 16-byte
/// tag; `open` checks the tag and only then hands out plaintext.
///
/// The libcrypto objects are fetched once per process and the key schedule is set up once
/// per `AEADCipher`, so a chunk costs only its encryption. Not shared across tasks.
final class AEADCipher {
    /// The tag size of every mode RFC 9580 defines.
    static let tagSize = 16

    let mode: AEADAlgorithm
    let algorithm: SymmetricAlgorithm
    /// The nonce size this cipher takes: the mode's (15 OCB, 12 GCM, 16 EAX) unless a test
    /// asked for another.
    let nonceSize: Int

    private enum Engine {
        /// OCB or GCM in libcrypto: a context per direction, keyed once, given a new nonce
        /// per chunk. (libcrypto picks OCB's bulk routine by the direction the key was set
        /// for, so one context cannot serve both.)
        case libcrypto(OpaquePointer)
        case eax(EAXMode)
    }

    private let engine: Engine
    private let key: SecureBytes
    private var contexts: [Bool: OpaquePointer] = [:]

    /// Sets up `key` for `mode` with `algorithm`.
    ///
    /// - Parameter nonceSize: for known-answer tests with other nonce sizes (OCB 1–15
    ///   bytes, GCM any, EAX any); the mode's nonce size when nil.
    init(_ mode: AEADAlgorithm, algorithm: SymmetricAlgorithm, key: SecureBytes, nonceSize: Int? = nil) throws {
        guard let defaultNonceSize = mode.nonceSize else {
            throw OpenPGPError(.unsupportedAlgorithm, "AEAD algorithm \(mode.rawValue) is not supported")
        }
        guard let keySize = algorithm.keySize, algorithm.supportsAEAD(mode) else {
            throw OpenPGPError(.unsupportedAlgorithm, "\(mode) with \(algorithm) is not supported")
        }
        guard key.count == keySize else {
            throw OpenPGPError(.invalidArgument, "\(algorithm) needs a \(keySize)-byte key, got \(key.count)")
        }
        self.mode = mode
        self.algorithm = algorithm
        self.key = key
        self.nonceSize = nonceSize ?? defaultNonceSize
        guard self.nonceSize > 0, self.nonceSize <= (mode == .ocb ? 15 : 64) else {
            throw OpenPGPError(.invalidArgument, "\(mode) cannot use a \(self.nonceSize)-byte nonce")
        }
        if mode == .eax {
            engine = .eax(try EAXMode(algorithm: algorithm, key: key))
            return
        }
        let table = AEADCipherTable.shared
        guard let cipher = mode == .ocb ? table.ocb[keySize] : table.gcm[keySize] else {
            throw OpenPGPError(.unsupportedAlgorithm, "\(mode) with \(algorithm) is not supported")
        }
        engine = .libcrypto(cipher)
    }

    deinit {
        // Freeing a context wipes its key schedule.
        for context in contexts.values { EVP_CIPHER_CTX_free(context) }
    }

    /// The libcrypto context keyed for `encrypting`, made on first use.
    private func context(_ cipher: OpaquePointer, encrypting: Bool) throws -> OpaquePointer {
        if let context = contexts[encrypting] { return context }
        guard let context = EVP_CIPHER_CTX_new() else { throw LibCrypto.failure("EVP_CIPHER_CTX_new") }
        let keyed = key.withUnsafeBytes {
            EVP_CipherInit_ex2(
                context, cipher, $0.baseAddress?.assumingMemoryBound(to: UInt8.self), nil, encrypting ? 1 : 0, nil)
        }
        guard keyed == 1, EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_AEAD_SET_IVLEN, Int32(nonceSize), nil) == 1 else {
            EVP_CIPHER_CTX_free(context)
            throw LibCrypto.failure("setting up \(mode) with \(algorithm)")
        }
        contexts[encrypting] = context
        return context
    }

    /// Encrypts `plaintext` into `output`, which must have room for `plaintext.count + 16`
    /// bytes: the ciphertext, then the tag.
    func seal(
        nonce: [UInt8], associatedData: [UInt8], plaintext: UnsafeRawBufferPointer,
        into output: UnsafeMutableRawBufferPointer
    ) throws {
        try checkSizes(nonce: nonce, count: plaintext.count)
        precondition(output.count >= plaintext.count + Self.tagSize)
        switch engine {
        case .eax(let eax):
            try eax.seal(nonce: nonce, header: associatedData, plaintext: plaintext, into: output)
        case .libcrypto(let cipher):
            let context = try context(cipher, encrypting: true)
            try run(context, encrypting: true, nonce: nonce, associatedData: associatedData, input: plaintext) {
                output
            }
            let tag = UnsafeMutableRawBufferPointer(rebasing: output[plaintext.count..<plaintext.count + Self.tagSize])
            guard
                EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_AEAD_GET_TAG, Int32(Self.tagSize), tag.baseAddress) == 1
            else {
                throw LibCrypto.failure("reading the \(mode) tag")
            }
        }
    }

    /// Checks the tag at the end of `sealed` (ciphertext then tag) and decrypts the
    /// ciphertext into `output`, which must have room for `sealed.count - 16` bytes.
    ///
    /// Throws `integrityCheckFailed` when the tag does not match; `output` then holds no
    /// plaintext (EAX decrypts only after the check; OCB and GCM output is wiped).
    func open(
        nonce: [UInt8], associatedData: [UInt8], sealed: UnsafeRawBufferPointer,
        into output: UnsafeMutableRawBufferPointer
    ) throws {
        guard sealed.count >= Self.tagSize else {
            throw OpenPGPError(.integrityCheckFailed, "the \(mode) data is shorter than its tag")
        }
        let count = sealed.count - Self.tagSize
        try checkSizes(nonce: nonce, count: count)
        precondition(output.count >= count)
        let ciphertext = UnsafeRawBufferPointer(rebasing: sealed[0..<count])
        var tag = Array(sealed[count...])
        switch engine {
        case .eax(let eax):
            try eax.open(nonce: nonce, header: associatedData, ciphertext: ciphertext, tag: tag, into: output)
        case .libcrypto(let cipher):
            let context = try context(cipher, encrypting: false)
            do {
                try run(context, encrypting: false, nonce: nonce, associatedData: associatedData, input: ciphertext) {
                    guard EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_AEAD_SET_TAG, Int32(Self.tagSize), &tag) == 1 else {
                        throw LibCrypto.failure("setting the \(mode) tag")
                    }
                    return output
                }
            } catch {
                wipe(UnsafeMutableRawBufferPointer(rebasing: output[0..<count]))
                throw error
            }
        }
    }

    /// ``seal(nonce:associatedData:plaintext:into:)`` for arrays.
    func seal(nonce: [UInt8], associatedData: [UInt8], plaintext: [UInt8]) throws -> [UInt8] {
        var output = [UInt8](repeating: 0, count: plaintext.count + Self.tagSize)
        try plaintext.withUnsafeBytes { input in
            try output.withUnsafeMutableBytes {
                try seal(nonce: nonce, associatedData: associatedData, plaintext: input, into: $0)
            }
        }
        return output
    }

    /// ``open(nonce:associatedData:sealed:into:)`` for arrays.
    func open(nonce: [UInt8], associatedData: [UInt8], sealed: [UInt8]) throws -> [UInt8] {
        var output = [UInt8](repeating: 0, count: max(sealed.count - Self.tagSize, 0))
        try sealed.withUnsafeBytes { input in
            try output.withUnsafeMutableBytes {
                try open(nonce: nonce, associatedData: associatedData, sealed: input, into: $0)
            }
        }
        return output
    }

    private func checkSizes(nonce: [UInt8], count: Int) throws {
        guard nonce.count == nonceSize else {
            throw OpenPGPError(.invalidArgument, "\(mode) needs a \(nonceSize)-byte nonce, got \(nonce.count)")
        }
        // libcrypto takes Int32 lengths; OpenPGP chunks are at most 4 MiB.
        guard count < Int(Int32.max) - Self.tagSize else {
            throw OpenPGPError(.invalidArgument, "an AEAD chunk of \(count) bytes is too large")
        }
    }

    /// One libcrypto AEAD pass: new nonce, associated data, the data, then the final step
    /// (which checks the tag when decrypting). `prepare` runs before the data and returns the
    /// output buffer.
    private func run(
        _ context: OpaquePointer, encrypting: Bool, nonce: [UInt8], associatedData: [UInt8],
        input: UnsafeRawBufferPointer, prepare: () throws -> UnsafeMutableRawBufferPointer
    ) throws {
        guard EVP_CipherInit_ex2(context, nil, nil, nonce, encrypting ? 1 : 0, nil) == 1 else {
            throw LibCrypto.failure("setting the \(mode) nonce")
        }
        let output = try prepare()
        var written: Int32 = 0
        if !associatedData.isEmpty {
            guard EVP_CipherUpdate(context, nil, &written, associatedData, Int32(associatedData.count)) == 1 else {
                throw LibCrypto.failure("\(mode) associated data")
            }
        }
        var total = 0
        if input.count > 0, let source = input.baseAddress, let target = output.baseAddress {
            guard
                EVP_CipherUpdate(
                    context, target.assumingMemoryBound(to: UInt8.self), &written,
                    source.assumingMemoryBound(to: UInt8.self), Int32(input.count)) == 1
            else {
                throw LibCrypto.failure("\(mode) \(encrypting ? "encryption" : "decryption")")
            }
            total = Int(written)
        }
        // OCB may hold back a partial block until the final step. The final step writes
        // at most one block; a scratch block keeps it within bounds.
        var last = [UInt8](repeating: 0, count: 32)
        defer { wipe(&last) }
        guard EVP_CipherFinal_ex(context, &last, &written) == 1 else {
            if encrypting { throw LibCrypto.failure("\(mode) encryption") }
            // A tag mismatch is expected input, not a library failure.
            LibCrypto.clearErrors()
            throw OpenPGPError(.integrityCheckFailed, "the \(mode) authentication tag does not match")
        }
        let tail = Int(written)
        guard total + tail == input.count else {
            throw OpenPGPError(.cryptoFailure, "\(mode) produced \(total + tail) bytes for \(input.count)")
        }
        if tail > 0, let target = output.baseAddress {
            (target + total).copyMemory(from: last, byteCount: tail)
        }
    }
}
