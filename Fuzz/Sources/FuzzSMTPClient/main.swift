// The SMTP client state machine through a whole session: greeting, EHLO/HELO, STARTTLS,
// AUTH, pipelined transactions with several recipients, single commands and QUIT, against a
// hostile server's byte stream. The first two bytes configure the session (TLS mode,
// credentials, mechanism, options); the rest is what the server sends. Checks that every
// action is consistent with the machine's state. See `SMTPFuzzing.clientStateMachine`.
import FuzzSupport
@_spi(Fuzzing) import SMTP

runFuzzer(seeds: SMTPClientSeeds.make) { bytes in
    SMTPFuzzing.clientStateMachine(input: bytes)
}
