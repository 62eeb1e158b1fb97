import Foundation

enum SASLSeeds {
    /// Selector: mechanism index (0 PLAIN, 1 LOGIN, 2 CRAM-MD5, 3 XOAUTH2, 4 OAUTHBEARER,
    /// 5 SCRAM-SHA-256), 0x08 no initial response, 0x10 base64 challenges. The SCRAM seeds
    /// are RFC 7677's example exchange (user `user`, password `pencil`, the client nonce of
    /// `SMTPFuzzing.scramNonce`), so the last one verifies the server's signature.
    static func make() throws -> [String: [UInt8]] {
        let serverFirst =
            "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"
        let serverFinal = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="
        var seeds: [String: [UInt8]] = [:]
        seeds["plain"] = [0x00]
        seeds["plain-empty-challenge"] = [0x18, 1] + Array(" ".utf8)
        seeds["login"] = [0x11] + chunk(base64("Username:")) + last(base64("Password:"))
        seeds["cram-md5"] = [0x12] + last(base64("<1896.697170952@postoffice.reston.mci.net>"))
        seeds["cram-md5-raw"] = [0x02] + last("<1896.697170952@postoffice.reston.mci.net>")
        seeds["xoauth2-error"] =
            [0x13]
            + last(base64("{\"status\":\"401\",\"schemes\":\"bearer\",\"scope\":\"https://mail.google.com/\"}"))
        seeds["oauthbearer-error"] = [0x04] + last("{\"status\":\"invalid_token\",\"scope\":\"example_scope\"}")
        seeds["scram"] = [0x05] + chunk(serverFirst) + last(serverFinal)
        seeds["scram-base64"] = [0x15] + chunk(base64(serverFirst)) + last(base64(serverFinal))
        seeds["scram-no-initial-response"] =
            [0x1D, 1] + Array(" ".utf8) + chunk(base64(serverFirst))
            + last(base64(serverFinal))
        seeds["scram-error"] = [0x05] + chunk(serverFirst) + last("e=invalid-proof")
        seeds["scram-server-error"] = [0x05] + last("e=unknown-user")
        seeds["scram-extension"] = [0x05] + last("m=ext,r=rOprNGfwEbeRWgbNEkqO123,s=QSXCR+Q6sek8bf92,i=4096")
        seeds["base64"] = [0x00] + last("dGVzdA==")
        return seeds
    }

    private static func base64(_ text: String) -> String {
        Data(text.utf8).base64EncodedString()
    }

    /// A chunk of the input: its length, then its bytes.
    private static func chunk(_ text: String) -> [UInt8] {
        let bytes = Array(text.utf8)
        precondition(bytes.count > 0 && bytes.count < 256)
        return [UInt8(bytes.count)] + bytes
    }

    /// The last chunk: 0, then the rest.
    private static func last(_ text: String) -> [UInt8] {
        [0] + Array(text.utf8)
    }
}
