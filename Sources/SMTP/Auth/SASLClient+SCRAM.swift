// SCRAM-SHA-256 (RFC 5802, RFC 7677), without channel binding.
extension SASLClient {
    /// The smallest iteration count accepted from the server (RFC 7677 section 4 asks for
    /// at least 4096).
    static let scramMinimumIterations = 4096
    /// The largest iteration count accepted from the server, so that a hostile server
    /// cannot make the client spend unbounded time in PBKDF2.
    static let scramMaximumIterations = 1_000_000

    /// The client-first message `gs2-header n=USER,r=NONCE` and its two parts.
    func scramClientFirst() throws(SMTPError) -> (message: [UInt8], bare: String, gs2Header: String) {
        let username = try SASLprep.prepare(self.credentials.username, what: "user name")
        let gs2Header: String
        if let authorizationIdentity = self.credentials.authorizationIdentity {
            let prepared = try SASLprep.prepare(authorizationIdentity, what: "authorization identity")
            gs2Header = "n,a=\(SASLprep.escapeSASLName(prepared)),"
        } else {
            gs2Header = "n,,"
        }
        let bare = "n=\(SASLprep.escapeSASLName(username)),r=\(self.nonce)"
        return (Array((gs2Header + bare).utf8), bare, gs2Header)
    }

    /// Parses server-first `r=NONCE,s=SALT,i=COUNT[,ext]` and computes client-final
    /// `c=GS2,r=NONCE,p=PROOF` and the signature the server must send back.
    func scramClientFinal(
        serverFirst: [UInt8], clientFirstBare: String, gs2Header: String
    ) throws(SMTPError) -> (message: [UInt8], serverSignature: [UInt8]) {
        let serverFirstText = try Self.scramText(serverFirst, what: "server-first message")
        let attributes = try Self.scramAttributes(serverFirstText, what: "server-first message")
        if let first = attributes.first, first.name == "e" {
            throw SMTPError(.authenticationFailed, "the server refused SCRAM authentication: \(first.value)")
        }
        guard attributes.count >= 3, attributes[0].name == "r", attributes[1].name == "s", attributes[2].name == "i"
        else {
            throw SMTPError(.protocolViolation, "the SCRAM server-first message is not r=…,s=…,i=…")
        }
        let serverNonce = attributes[0].value
        guard serverNonce.utf8.count > self.nonce.utf8.count, serverNonce.utf8.starts(with: self.nonce.utf8),
            serverNonce.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F })
        else {
            throw SMTPError(.authenticationFailed, "the SCRAM server nonce does not extend the client nonce")
        }
        guard let salt = SASLBase64.decode(attributes[1].value), !salt.isEmpty else {
            throw SMTPError(.protocolViolation, "the SCRAM salt is not base64")
        }
        let countText = attributes[2].value
        guard !countText.isEmpty, countText.utf8.count <= 10, countText.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
            let iterations = Int(countText)
        else {
            throw SMTPError(.protocolViolation, "the SCRAM iteration count is not a number")
        }
        guard iterations >= Self.scramMinimumIterations else {
            throw SMTPError(
                .authenticationFailed,
                "the SCRAM iteration count \(iterations) is below the minimum \(Self.scramMinimumIterations)")
        }
        guard iterations <= Self.scramMaximumIterations else {
            throw SMTPError(
                .authenticationFailed,
                "the SCRAM iteration count \(iterations) is above the maximum \(Self.scramMaximumIterations)")
        }

        let password = try SASLprep.prepare(self.credentials.password ?? "", what: "password")
        let withoutProof = "c=\(SASLBase64.encode(Array(gs2Header.utf8))),r=\(serverNonce)"
        let authMessage = Array("\(clientFirstBare),\(serverFirstText),\(withoutProof)".utf8)

        let saltedPassword = PBKDF2.sha256(password: Array(password.utf8), salt: salt, iterations: iterations)
        let clientKey = SASLCrypto.hmacSHA256(key: saltedPassword, message: Array("Client Key".utf8))
        let storedKey = SASLCrypto.sha256(clientKey)
        let clientSignature = SASLCrypto.hmacSHA256(key: storedKey, message: authMessage)
        let clientProof = zip(clientKey, clientSignature).map { $0 ^ $1 }
        let serverKey = SASLCrypto.hmacSHA256(key: saltedPassword, message: Array("Server Key".utf8))
        let serverSignature = SASLCrypto.hmacSHA256(key: serverKey, message: authMessage)

        let message = Array("\(withoutProof),p=\(SASLBase64.encode(clientProof))".utf8)
        return (message, serverSignature)
    }

    /// Checks server-final `v=SIGNATURE` (in constant time), or reports `e=ERROR`.
    mutating func scramVerify(serverFinal: [UInt8], expected: [UInt8]) throws(SMTPError) {
        let text = try Self.scramText(serverFinal, what: "server-final message")
        let attributes = try Self.scramAttributes(text, what: "server-final message")
        guard let first = attributes.first else {
            throw SMTPError(.protocolViolation, "the SCRAM server-final message is empty")
        }
        switch first.name {
        case "e":
            self.serverError = first.value
            throw SMTPError(.authenticationFailed, "the server refused SCRAM authentication: \(first.value)")
        case "v":
            guard let signature = SASLBase64.decode(first.value) else {
                throw SMTPError(.protocolViolation, "the SCRAM server signature is not base64")
            }
            guard SASLCrypto.constantTimeEquals(signature, expected) else {
                throw SMTPError(
                    .authenticationFailed,
                    "the SCRAM server signature does not verify: the server does not know the password")
            }
        default:
            throw SMTPError(.protocolViolation, "the SCRAM server-final message is neither v=… nor e=…")
        }
    }

    /// `bytes` as UTF-8 text.
    private static func scramText(_ bytes: [UInt8], what: String) throws(SMTPError) -> String {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw SMTPError(.protocolViolation, "the SCRAM \(what) is not UTF-8")
        }
        return text
    }

    /// The `name=value` attributes of a SCRAM message; `m=` (a mandatory extension this
    /// client does not know) fails the exchange.
    private static func scramAttributes(
        _ text: String, what: String
    ) throws(SMTPError) -> [(
        name: String, value: String
    )] {
        var attributes: [(name: String, value: String)] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let utf8 = Array(part.utf8)
            guard utf8.count >= 2, utf8[1] == UInt8(ascii: "="),
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(utf8[0])
                    || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(utf8[0])
            else {
                throw SMTPError(.protocolViolation, "the SCRAM \(what) is malformed")
            }
            attributes.append((String(part.prefix(1)), String(part.dropFirst(2))))
        }
        if let first = attributes.first, first.name == "m" {
            throw SMTPError(.authenticationFailed, "the SCRAM server requires an unsupported extension")
        }
        return attributes
    }
}
