extension UnsafeRawBufferPointer {
    /// Calls `body` with consecutive non-empty slices of at most `maxCount` bytes, for C
    /// libraries (zlib, libbz2, EVP) that count lengths in 32 bits.
    func forEachSlice(maxCount: Int = 1 << 30, _ body: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        var offset = 0
        while offset < count {
            let length = Swift.min(count - offset, maxCount)
            try body(UnsafeRawBufferPointer(rebasing: self[offset..<offset + length]))
            offset += length
        }
    }
}
