import COpenSSL

/// A block cipher written in Swift, for the OpenPGP ciphers libcrypto lacks (Twofish, IDEA).
///
/// Only the forward direction exists: OpenPGP uses these ciphers in CFB mode alone, which
/// encrypts blocks to decrypt too.
protocol BlockEncryptor: AnyObject {
    /// The block size in bytes: 8 or 16.
    static var blockSize: Int { get }
    /// Encrypts the block at `input` into `output`; the two may be the same memory.
    func encryptBlock(_ input: UnsafeRawPointer, _ output: UnsafeMutableRawPointer)
}

/// Full-block CFB (as libcrypto's `*-CFB` ciphers, without OpenPGP's old resync) over a
/// Swift block cipher. The state carries across `update` calls, so input may come in pieces
/// of any length and gives the same bytes as one call.
final class CFBMode<Cipher: BlockEncryptor> {
    private let cipher: Cipher
    private let encrypting: Bool
    /// E(previous ciphertext block), overwritten byte by byte with the new ciphertext as it
    /// is used, so that at a block boundary it holds the next feedback input.
    private let register: UnsafeMutableRawBufferPointer
    /// How many bytes of the current keystream block are used (0 = a new block is due).
    private var position = 0

    init(cipher: Cipher, iv: UnsafeRawBufferPointer, encrypting: Bool) {
        precondition(iv.count == Cipher.blockSize && Cipher.blockSize % 8 == 0)
        self.cipher = cipher
        self.encrypting = encrypting
        register = .allocate(byteCount: Cipher.blockSize, alignment: 16)
        register.copyMemory(from: iv)
    }

    deinit {
        // The register holds keystream and plaintext-dependent state.
        wipe(register)
        register.deallocate()
    }

    /// Transforms `input` into `output`, which must have room for `input.count` bytes.
    func update(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) {
        let count = input.count
        guard count > 0 else { return }
        precondition(output.count >= count)
        let blockSize = Cipher.blockSize
        let state = register.baseAddress!
        let source = input.baseAddress!
        let target = output.baseAddress!
        var offset = 0
        // Finish a block begun by an earlier call, byte by byte.
        while position != 0 && offset < count {
            transformByte(at: offset, source, target)
            offset += 1
        }
        // Whole blocks, eight bytes at a time.
        while count - offset >= blockSize {
            cipher.encryptBlock(state, state)
            var word = 0
            while word < blockSize {
                let key = state.load(fromByteOffset: word, as: UInt64.self)
                let value = source.loadUnaligned(fromByteOffset: offset + word, as: UInt64.self)
                let result = value ^ key
                target.storeBytes(of: result, toByteOffset: offset + word, as: UInt64.self)
                state.storeBytes(of: encrypting ? result : value, toByteOffset: word, as: UInt64.self)
                word += 8
            }
            offset += blockSize
        }
        // A partial block left for the next call.
        while offset < count {
            transformByte(at: offset, source, target)
            offset += 1
        }
    }

    @inline(__always)
    private func transformByte(at offset: Int, _ source: UnsafeRawPointer, _ target: UnsafeMutableRawPointer) {
        let state = register.baseAddress!
        if position == 0 { cipher.encryptBlock(state, state) }
        let value = source.load(fromByteOffset: offset, as: UInt8.self)
        let result = value ^ state.load(fromByteOffset: position, as: UInt8.self)
        target.storeBytes(of: result, toByteOffset: offset, as: UInt8.self)
        state.storeBytes(of: encrypting ? result : value, toByteOffset: position, as: UInt8.self)
        position = (position + 1) % Cipher.blockSize
    }
}

/// Overwrites secret memory (key schedules, keystream) in a way the optimiser may not remove.
func wipe(_ buffer: UnsafeMutableRawBufferPointer) {
    if let base = buffer.baseAddress { OPENSSL_cleanse(base, buffer.count) }
}
