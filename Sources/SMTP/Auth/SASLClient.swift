/// The client side of one SASL exchange (`AUTH`, RFC 4954), as pure values: no I/O.
///
/// The caller sends `AUTH NAME` with ``initialResponse()`` (if not `nil`), answers every
/// `334` challenge with ``respond(to:)`` and calls ``finish()`` on the `235` reply. When a
/// method throws, the caller cancels the exchange (`*`, ``SMTPCommand/authCancel``) if the
/// server is waiting for an answer; the client cannot be used any more.
///
/// A caller that does not send the initial response (for example because the `AUTH` line
/// would be too long) gets it from ``respond(to:)`` when the server sends the empty
/// challenge of RFC 4954 section 4.
struct SASLClient: Sendable {
    /// The mechanism being run.
    let mechanism: SMTPAuthMechanism

    let credentials: SMTPCredentials
    let host: String
    let port: Int
    /// SCRAM's client nonce.
    let nonce: String
    private var state: State = .start

    /// The text of the error challenge the server sent (`XOAUTH2`, `OAUTHBEARER`: a JSON
    /// object) or of SCRAM's `e=` attribute, for the caller's error message.
    var serverError: String?

    private enum State: Sendable {
        /// Nothing sent yet.
        case start
        /// PLAIN, XOAUTH2, OAUTHBEARER: the response has been sent; a challenge now is an
        /// error report.
        case responseSent
        /// XOAUTH2, OAUTHBEARER: the error challenge has been acknowledged; `535` follows.
        case errorAcknowledged
        /// LOGIN: the user name has been sent.
        case loginUsernameSent
        /// SCRAM: client-first sent.
        case scramClientFirstSent(clientFirstBare: String, gs2Header: String)
        /// SCRAM: client-final sent; the server must prove it knows the password.
        case scramClientFinalSent(serverSignature: [UInt8])
        /// The exchange is complete on the client side (for SCRAM: the server is verified).
        case done
        /// A method threw.
        case failed
    }

    /// Creates a client for one exchange.
    ///
    /// - Parameters:
    ///   - mechanism: The mechanism to run.
    ///   - credentials: The credentials; their kind must fit the mechanism.
    ///   - host: The server's host name (sent by `OAUTHBEARER`).
    ///   - port: The server's port (sent by `OAUTHBEARER`).
    ///   - nonce: SCRAM's client nonce: printable ASCII without `,`.
    /// - Throws: ``SMTPError/Code/invalidInput`` if the credentials do not fit the
    ///   mechanism (a password for a token mechanism or the reverse).
    init(
        mechanism: SMTPAuthMechanism, credentials: SMTPCredentials, host: String, port: Int,
        nonce: String = SASLClient.makeNonce()
    ) throws(SMTPError) {
        guard mechanism.accepts(credentials) else {
            let needed = mechanism.usesBearerToken ? "a bearer token" : "a password"
            throw SMTPError(.invalidInput, "\(mechanism.name) needs \(needed)")
        }
        precondition(
            !nonce.isEmpty && nonce.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: ",") },
            "a SCRAM nonce is printable ASCII without ','")
        self.mechanism = mechanism
        self.credentials = credentials
        self.host = host
        self.port = port
        self.nonce = nonce
    }

    /// A fresh SCRAM client nonce: 24 random bytes, base64-encoded (32 characters, no `,`).
    static func makeNonce() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<24).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return SASLBase64.encode(bytes)
    }

    /// The initial response to send with `AUTH NAME` (base64-encoded, `=` when empty), or
    /// `nil` when the mechanism waits for a `334` challenge first (`LOGIN`, `CRAM-MD5`).
    ///
    /// - Throws: ``SMTPError/Code/invalidInput`` if a credential contains a character the
    ///   mechanism cannot carry (NUL in `PLAIN`, `\u{1}` in the OAuth mechanisms, what
    ///   SASLprep prohibits in SCRAM).
    mutating func initialResponse() throws(SMTPError) -> [UInt8]? {
        guard self.mechanism.hasInitialResponse else {
            return nil
        }
        guard case .start = self.state else {
            self.state = .failed
            throw SMTPError(.protocolViolation, "the \(self.mechanism.name) exchange has already started")
        }
        return try self.run { (client: inout SASLClient) throws(SMTPError) in
            try client.firstMessage()
        }
    }

    /// The answer to a `334` challenge (already base64-decoded, see
    /// ``SASLBase64/challenge(in:)``), to be sent base64-encoded.
    ///
    /// - Throws: ``SMTPError/Code/protocolViolation`` when the challenge is malformed or
    ///   comes when none is expected; ``SMTPError/Code/authenticationFailed`` when SCRAM's
    ///   server cannot be trusted (nonce, iteration count, signature, `e=`);
    ///   ``SMTPError/Code/invalidInput`` as ``initialResponse()``.
    mutating func respond(to challenge: [UInt8]) throws(SMTPError) -> [UInt8] {
        try self.run { (client: inout SASLClient) throws(SMTPError) in
            try client.answer(challenge)
        }
    }

    /// Checks, on the server's `235` success reply, that the exchange is complete.
    ///
    /// - Throws: ``SMTPError/Code/authenticationFailed`` when the server claims success
    ///   before proving it knows the password (`SCRAM-SHA-256` without a verified `v=`).
    func finish() throws(SMTPError) {
        switch self.state {
        case .done:
            return
        case .responseSent, .errorAcknowledged:
            // Token and PLAIN exchanges: nothing is left to check.
            return
        case .start, .loginUsernameSent, .scramClientFirstSent, .scramClientFinalSent, .failed:
            if self.mechanism == .scramSHA256 {
                throw SMTPError(
                    .authenticationFailed,
                    "the server reported success without proving it knows the password (no SCRAM server signature)")
            }
            if case .failed = self.state {
                throw SMTPError(.authenticationFailed, "the \(self.mechanism.name) exchange failed")
            }
        }
    }

    /// Runs `step`, putting the client in the failed state if it throws.
    private mutating func run<Result>(
        _ step: (inout SASLClient) throws(SMTPError) -> Result
    ) throws(SMTPError) -> Result {
        if case .failed = self.state {
            throw SMTPError(.protocolViolation, "the \(self.mechanism.name) exchange has already failed")
        }
        do {
            return try step(&self)
        } catch {
            self.state = .failed
            throw error
        }
    }

    /// The client's first message for mechanisms that speak first.
    private mutating func firstMessage() throws(SMTPError) -> [UInt8] {
        switch self.mechanism {
        case .plain:
            self.state = .responseSent
            return try self.plainMessage()
        case .xoauth2:
            self.state = .responseSent
            return try self.xoauth2Message()
        case .oauthBearer:
            self.state = .responseSent
            return try self.oauthBearerMessage()
        case .scramSHA256:
            let (message, bare, gs2Header) = try self.scramClientFirst()
            self.state = .scramClientFirstSent(clientFirstBare: bare, gs2Header: gs2Header)
            return message
        default:
            throw SMTPError(.protocolViolation, "\(self.mechanism.name) has no initial response")
        }
    }

    private mutating func answer(_ challenge: [UInt8]) throws(SMTPError) -> [UInt8] {
        switch self.state {
        case .start:
            switch self.mechanism {
            case .login:
                // "Username:" (or whatever the server writes): answered by position.
                self.state = .loginUsernameSent
                return Array(self.credentials.username.utf8)
            case .cramMD5:
                self.state = .done
                return try self.cramMD5Response(to: challenge)
            default:
                // The initial response was not sent with AUTH: the server asks for it
                // with an empty challenge.
                guard challenge.isEmpty else {
                    throw SMTPError(.protocolViolation, "unexpected non-empty first \(self.mechanism.name) challenge")
                }
                return try self.firstMessage()
            }
        case .loginUsernameSent:
            // "Password:".
            self.state = .done
            return Array((self.credentials.password ?? "").utf8)
        case .responseSent where self.mechanism.usesBearerToken:
            // The server's error report (a JSON object); it is acknowledged and the server
            // then fails the exchange with 535.
            self.serverError = String(decoding: challenge, as: UTF8.self)
            self.state = .errorAcknowledged
            return self.mechanism == .oauthBearer ? [0x01] : []
        case .scramClientFirstSent(let clientFirstBare, let gs2Header):
            let (message, serverSignature) = try self.scramClientFinal(
                serverFirst: challenge, clientFirstBare: clientFirstBare, gs2Header: gs2Header)
            self.state = .scramClientFinalSent(serverSignature: serverSignature)
            return message
        case .scramClientFinalSent(let serverSignature):
            try self.scramVerify(serverFinal: challenge, expected: serverSignature)
            self.state = .done
            return []
        case .responseSent, .errorAcknowledged, .done, .failed:
            throw SMTPError(.protocolViolation, "unexpected \(self.mechanism.name) challenge")
        }
    }

    // MARK: - PLAIN, CRAM-MD5, XOAUTH2, OAUTHBEARER

    /// `[authzid] NUL authcid NUL passwd` (RFC 4616 section 2).
    private func plainMessage() throws(SMTPError) -> [UInt8] {
        let authorizationIdentity = self.credentials.authorizationIdentity ?? ""
        let username = self.credentials.username
        let password = self.credentials.password ?? ""
        for (field, what) in [
            (authorizationIdentity, "authorization identity"), (username, "user name"), (password, "password"),
        ]
        where field.utf8.contains(0) {
            throw SMTPError(.invalidInput, "the \(what) contains NUL, which PLAIN cannot carry")
        }
        return Array(authorizationIdentity.utf8) + [0] + Array(username.utf8) + [0] + Array(password.utf8)
    }

    /// `user=U ^A auth=Bearer T ^A ^A`.
    private func xoauth2Message() throws(SMTPError) -> [UInt8] {
        let username = self.credentials.username
        let token = self.credentials.bearerToken ?? ""
        try Self.checkNoControlCharacters(username, what: "user name")
        try Self.checkNoControlCharacters(token, what: "bearer token")
        return Array("user=\(username)\u{1}auth=Bearer \(token)\u{1}\u{1}".utf8)
    }

    /// `n,a=AUTHZID, ^A host=H ^A port=P ^A auth=Bearer T ^A ^A` (RFC 7628 section 3.1).
    private func oauthBearerMessage() throws(SMTPError) -> [UInt8] {
        let identity = self.credentials.authorizationIdentity ?? self.credentials.username
        let token = self.credentials.bearerToken ?? ""
        try Self.checkNoControlCharacters(identity, what: "authorization identity")
        try Self.checkNoControlCharacters(self.host, what: "host name")
        try Self.checkNoControlCharacters(token, what: "bearer token")
        let gs2Header = "n,a=\(SASLprep.escapeSASLName(identity)),"
        return Array("\(gs2Header)\u{1}host=\(self.host)\u{1}port=\(self.port)\u{1}auth=Bearer \(token)\u{1}\u{1}".utf8)
    }

    /// `user hex(HMAC-MD5(password, challenge))` (RFC 2195 section 2).
    private func cramMD5Response(to challenge: [UInt8]) throws(SMTPError) -> [UInt8] {
        guard !challenge.isEmpty else {
            throw SMTPError(.protocolViolation, "the CRAM-MD5 challenge is empty")
        }
        let digest = SASLCrypto.hmacMD5(key: Array((self.credentials.password ?? "").utf8), message: challenge)
        return Array("\(self.credentials.username) \(SASLCrypto.hex(digest))".utf8)
    }

    /// Rejects C0 controls and DEL, which would break the `^A`-separated OAuth messages.
    private static func checkNoControlCharacters(_ text: String, what: String) throws(SMTPError) {
        if text.utf8.contains(where: SMTPInputValidation.isControl) {
            throw SMTPError(.invalidInput, "the \(what) contains a control character")
        }
    }
}
