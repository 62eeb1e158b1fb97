import COpenSSL

/// Secret bytes (session keys, secret key material, derived keys) that are wiped when the
/// last reference goes away.
///
/// `@unchecked Sendable`: the buffer is written only in `init` and read-only afterwards, so
/// sharing it across tasks cannot race.
public final class SecureBytes: @unchecked Sendable, Equatable {
    private let buffer: UnsafeMutableRawBufferPointer

    /// Copies `bytes`; the caller should wipe its own copy.
    public init(_ bytes: some Collection<UInt8>) {
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 16)
        buffer.copyBytes(from: bytes)
        count = bytes.count
    }

    /// `count` bytes from the CSPRNG.
    public static func random(count: Int) -> SecureBytes {
        var bytes = secureRandomBytes(count)
        defer { wipe(&bytes) }
        return SecureBytes(bytes)
    }

    /// The number of bytes.
    public let count: Int

    deinit {
        OPENSSL_cleanse(buffer.baseAddress, buffer.count)
        buffer.deallocate()
    }

    /// Gives temporary read access to the bytes.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
    }

    /// A copy as an array; wipe it (or let it go quickly) after use.
    var bytes: [UInt8] { withUnsafeBytes { Array($0) } }

    /// Constant-time equality.
    public static func == (lhs: SecureBytes, rhs: SecureBytes) -> Bool {
        guard lhs.count == rhs.count else { return false }
        return lhs.withUnsafeBytes { a in
            rhs.withUnsafeBytes { b in
                a.count == 0 || CRYPTO_memcmp(a.baseAddress, b.baseAddress, a.count) == 0
            }
        }
    }
}
