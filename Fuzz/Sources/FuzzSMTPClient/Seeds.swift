import Foundation

enum SMTPClientSeeds {
    /// Two configuration bytes (see `SMTPFuzzing.clientStateMachine`), then what the server
    /// sends in the whole session. The session's script: a transaction to three recipients,
    /// NOOP, a transaction to one, a raw XCLIENT, VRFY, RSET, a transaction to two, QUIT.
    static func make() throws -> [String: [UInt8]] {
        let ehlo =
            "250-mail.example.org\r\n250-PIPELINING\r\n250-SIZE 1000000\r\n250-8BITMIME\r\n"
            + "250 ENHANCEDSTATUSCODES\r\n"
        let script =
            // Pipelined: MAIL, three RCPT, DATA in one group.
            "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n550 5.1.1 No such user\r\n"
            + "354 Go ahead\r\n250 2.0.0 Queued\r\n"
            // NOOP.
            + "250 2.0.0 Ok\r\n"
            // One recipient.
            + "250 Ok\r\n250 Ok\r\n354 Go ahead\r\n250 Queued\r\n"
            // XCLIENT, VRFY, RSET.
            + "502 5.5.2 Unknown command\r\n252 2.1.5 Cannot VRFY user\r\n250 2.0.0 Ok\r\n"
            // Two recipients.
            + "250 Ok\r\n250 Ok\r\n250 Ok\r\n354 Go ahead\r\n250 Queued\r\n"
            // QUIT.
            + "221 2.0.0 Bye\r\n"
        let serverFirst = Data(
            "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096".utf8
        ).base64EncodedString()
        let sessions: [(String, UInt8, UInt8, String)] = [
            ("pipelining", 0x00, 0x00, "220 mail.example.org ESMTP\r\n" + ehlo + script),
            (
                "starttls-cram-md5", 0x05, 0x40,
                "220 mail.example.org ESMTP\r\n250-mail.example.org\r\n250-STARTTLS\r\n250 PIPELINING\r\n"
                    + "220 2.0.0 Ready to start TLS\r\n"
                    + "250-mail.example.org\r\n250-AUTH PLAIN LOGIN CRAM-MD5\r\n250 PIPELINING\r\n"
                    + "334 PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+\r\n"
                    + "235 2.7.0 Authentication successful\r\n"
                    + script
            ),
            (
                "implicit-login", 0x0F, 0x02,
                "220 mail.example.org ESMTP\r\n250-mail.example.org\r\n250 AUTH LOGIN PLAIN\r\n"
                    + "334 VXNlcm5hbWU6\r\n334 UGFzc3dvcmQ6\r\n235 2.7.0 Authentication successful\r\n"
                    // Not pipelined: one command at a time.
                    + "250 Ok\r\n250 Ok\r\n250 Ok\r\n250 Ok\r\n354 Go ahead\r\n421 4.3.0 Shutting down\r\n"
            ),
            (
                "helo-stop-on-refusal", 0x20, 0x00,
                "220 mail.example.org\r\n500 5.5.1 Unknown command\r\n250 mail.example.org\r\n"
                    + "250 Ok\r\n550 No\r\n250 Ok\r\n250 Ok\r\n250 Reset\r\n250 Ok\r\n"
            ),
            (
                "xoauth2-refused", 0x88, 0x00,
                "220 mail.example.org ESMTP\r\n250-mail.example.org\r\n250 AUTH XOAUTH2 OAUTHBEARER\r\n"
                    + "334 eyJzdGF0dXMiOiI0MDEifQ==\r\n535 5.7.8 Username and Password not accepted\r\n221 Bye\r\n"
            ),
            ("greeting-refused", 0x00, 0x00, "554 5.3.2 No service\r\n221 Bye\r\n"),
            (
                "scram-cancelled", 0x0C, 0x0A,
                "220 mail.example.org ESMTP\r\n250-mail.example.org\r\n250 AUTH SCRAM-SHA-256 PLAIN\r\n"
                    + "334 \(serverFirst)\r\n"
                    + "501 5.7.0 Cancelled\r\n221 Bye\r\n"
            ),
            (
                "starttls-opportunistic-refused", 0x02, 0x00,
                "220 mail.example.org ESMTP\r\n250-mail.example.org\r\n250 STARTTLS\r\n454 4.7.0 TLS not available\r\n"
                    + ehlo + script
            ),
            (
                "utf8-all-refused", 0x60, 0x30,
                "220 mail.example.org ESMTP\r\n250-mail.example.org\r\n250-PIPELINING\r\n250 SMTPUTF8\r\n"
                    + "250 Ok\r\n550 No\r\n550 No\r\n550 No\r\n550 No\r\n250 Reset\r\n"
            ),
        ]
        var seeds: [String: [UInt8]] = [:]
        for (name, options, more, text) in sessions {
            seeds[name] = [options, more] + Array(text.utf8)
        }
        return seeds
    }
}
