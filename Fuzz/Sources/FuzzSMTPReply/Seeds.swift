enum SMTPReplySeeds {
    static func make() throws -> [String: [UInt8]] {
        let sessions: [(UInt8, String, String)] = [
            (63, "greeting", "220 mail.example.org ESMTP ready\r\n"),
            (
                7, "ehlo",
                "250-mail.example.org greets you\r\n250-PIPELINING\r\n250-SIZE 35882577\r\n250-8BITMIME\r\n"
                    + "250-AUTH PLAIN LOGIN XOAUTH2\r\n250-ENHANCEDSTATUSCODES\r\n250-DSN\r\n250-SMTPUTF8\r\n"
                    + "250-CHUNKING\r\n250 STARTTLS\r\n"
            ),
            (
                0, "transaction",
                "250 2.1.0 Sender OK\r\n250 2.1.5 Recipient OK\r\n354 Start mail input\r\n250 2.0.0 Ok: queued as 12345\r\n221 2.0.0 Bye\r\n"
            ),
            (
                3, "errors",
                "550-5.1.1 The email account that you tried to reach does not exist.\n550 5.1.1 https://support.example/?p=NoSuchUser\n421 4.7.0 Try again later\r\n"
            ),
            (1, "bare-codes", "250\r\n334 VXNlcm5hbWU6\r\n235 2.7.0 Authentication successful\r\n"),
        ]
        var seeds: [String: [UInt8]] = [:]
        for (selector, name, text) in sessions {
            seeds[name] = [selector] + Array(text.utf8)
        }
        return seeds
    }
}
