// The proxy handshake state machines (SOCKS4, SOCKS4A, SOCKS5 with and without user name
// and password, HTTP CONNECT) reading a hostile proxy's replies. The first byte picks the
// handshake; the rest arrives in chunks (a length byte, then that many bytes; 0: the rest),
// so replies split across reads are covered. See `SMTPFuzzing.proxyHandshake`.
import FuzzSupport
@_spi(Fuzzing) import SMTP

runFuzzer(seeds: ProxyReplySeeds.make) { bytes in
    let (selector, rest) = split(bytes)
    SMTPFuzzing.proxyHandshake(kind: selector, input: rest)
}
