// The SASL clients of every mechanism (PLAIN, LOGIN, CRAM-MD5, XOAUTH2, OAUTHBEARER,
// SCRAM-SHA-256: server-first and server-final parsing) answering a hostile server's
// challenges, and SASL base64. The first byte picks the mechanism (bits 0-2), skips the
// initial response (0x08) and makes the challenges 334 reply texts to base64-decode (0x10);
// the rest is the challenges, in chunks (a length byte, then that many bytes; 0: the rest).
// See `SMTPFuzzing.sasl`.
import FuzzSupport
@_spi(Fuzzing) import SMTP

runFuzzer(seeds: SASLSeeds.make) { bytes in
    let (selector, rest) = split(bytes)
    SMTPFuzzing.sasl(mechanism: selector, input: rest)
}
