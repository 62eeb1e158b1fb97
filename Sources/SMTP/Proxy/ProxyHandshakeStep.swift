import NIOCore

/// What a proxy handshake state machine wants after reading the proxy's bytes.
enum ProxyHandshakeStep: Equatable, Sendable {
    /// The reply is incomplete; call again when more bytes arrived (the unread bytes stay
    /// in the buffer and the new ones go after them).
    case needMoreBytes
    /// Send these bytes to the proxy, then call again with the bytes that remain.
    case send(ByteBuffer)
    /// The tunnel is up. The bytes left in the buffer came from the target server.
    case established
}

/// Text from a proxy, made safe to quote in an error: control characters become `?`,
/// and at most `limit` characters are kept.
func proxyQuoted(_ bytes: some Sequence<UInt8>, limit: Int = 200) -> String {
    var text = ""
    for byte in bytes.prefix(limit) {
        text.unicodeScalars.append(byte >= 0x20 && byte < 0x7F ? Unicode.Scalar(byte) : "?")
    }
    return text
}
