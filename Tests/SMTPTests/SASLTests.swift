import NIOCore
import Testing

@testable import SMTP

@Suite("SASL")
struct SASLTests {
    private static let password = SMTPCredentials(username: "alice", password: "s3cret-pa55")
    private static let token = SMTPCredentials(
        username: "alice@example.com", bearerToken: "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg")

    private func bytes(_ text: String) -> [UInt8] {
        Array(text.utf8)
    }

    private func text(_ bytes: [UInt8]?) -> String? {
        bytes.map { String(decoding: $0, as: UTF8.self) }
    }

    private func client(
        _ mechanism: SMTPAuthMechanism, _ credentials: SMTPCredentials, nonce: String = "fixed-nonce"
    ) throws(SMTPError) -> SASLClient {
        try SASLClient(
            mechanism: mechanism, credentials: credentials, host: "smtp.example.com", port: 587, nonce: nonce)
    }

    private func expectCode(_ code: SMTPError.Code, _ body: () throws(SMTPError) -> Void) {
        do {
            try body()
            Issue.record("expected SMTPError.\(code), nothing was thrown")
        } catch {
            #expect(error.code == code, "\(error)")
        }
    }

    // MARK: - Mechanism names

    @Test func mechanismNames() {
        let expected: [(SMTPAuthMechanism, String, Bool)] = [
            (.plain, "PLAIN", true), (.login, "LOGIN", true), (.cramMD5, "CRAM-MD5", false),
            (.xoauth2, "XOAUTH2", true), (.oauthBearer, "OAUTHBEARER", true), (.scramSHA256, "SCRAM-SHA-256", false),
        ]
        for (mechanism, name, clear) in expected {
            #expect(mechanism.name == name)
            #expect(mechanism.sendsSecretInClear == clear, "\(name)")
            #expect(SMTPAuthMechanism(name: name) == mechanism)
            #expect(SMTPAuthMechanism(name: name.lowercased()) == mechanism)
        }
        #expect(SMTPAuthMechanism(name: "Scram-Sha-256") == .scramSHA256)
        #expect(SMTPAuthMechanism(name: "GSSAPI") == nil)
        #expect(SMTPAuthMechanism(name: "SCRAM-SHA-1") == nil)
        #expect(SMTPAuthMechanism(name: "") == nil)
        #expect(Set(SMTPAuthMechanism.all.map(\.name)).count == 6)
    }

    // MARK: - Base64

    @Test func base64RoundTripsAndRejectsGarbage() {
        let vectors = [
            "": "", "f": "Zg==", "fo": "Zm8=", "foo": "Zm9v", "foob": "Zm9vYg==", "fooba": "Zm9vYmE=",
            "foobar": "Zm9vYmFy",
        ]
        for (plain, encoded) in vectors {
            #expect(SASLBase64.encode(bytes(plain)) == encoded)
            #expect(SASLBase64.decode(encoded) == bytes(plain))
        }
        #expect(SASLBase64.encode([0xFF, 0xFE, 0xFD]) == "//79")
        #expect(SASLBase64.decode("Zm8") == bytes("fo"))  // missing padding tolerated
        for bad in ["Z", "Zm9v!", "Zm=v", "Zm9vY===", "Zg=", "=", "Zh==", "Zm9 v"] {
            #expect(SASLBase64.decode(bad) == nil, "\(bad)")
        }
    }

    @Test func challengeDecoding() throws {
        #expect(try SASLBase64.challenge(in: SMTPReply(code: 334, text: "VXNlcm5hbWU6")) == bytes("Username:"))
        #expect(try SASLBase64.challenge(in: SMTPReply(code: 334, text: " UGFzc3dvcmQ6 ")) == bytes("Password:"))
        #expect(try SASLBase64.challenge(in: SMTPReply(code: 334, text: "")) == [])
        expectCode(.protocolViolation) { () throws(SMTPError) in
            _ = try SASLBase64.challenge(in: SMTPReply(code: 334, text: "not base64!"))
        }
        expectCode(.protocolViolation) { () throws(SMTPError) in
            _ = try SASLBase64.challenge(in: SMTPReply(code: 235, text: "2.7.0 ok"))
        }
    }

    // MARK: - PLAIN, LOGIN, CRAM-MD5

    @Test func plainWithoutAuthorizationIdentity() throws {
        var sasl = try client(.plain, SMTPCredentials(username: "tim", password: "tanstaaftanstaaf"))
        #expect(try sasl.initialResponse() == bytes("\u{0}tim\u{0}tanstaaftanstaaf"))
        #expect(SASLBase64.encode(bytes("\u{0}tim\u{0}tanstaaftanstaaf")) == "AHRpbQB0YW5zdGFhZnRhbnN0YWFm")
        try sasl.finish()
    }

    @Test func plainWithAuthorizationIdentity() throws {
        // RFC 4616 section 4 example.
        var sasl = try client(
            .plain, SMTPCredentials(username: "Kurt", password: "xipj3plmq", authorizationIdentity: "Ursel"))
        #expect(try sasl.initialResponse() == bytes("Ursel\u{0}Kurt\u{0}xipj3plmq"))
    }

    @Test func plainRefusesNUL() throws {
        for credentials in [
            SMTPCredentials(username: "a\u{0}b", password: "p"), SMTPCredentials(username: "a", password: "p\u{0}"),
            SMTPCredentials(username: "a", password: "p", authorizationIdentity: "\u{0}"),
        ] {
            var sasl = try client(.plain, credentials)
            expectCode(.invalidInput) { () throws(SMTPError) in _ = try sasl.initialResponse() }
        }
    }

    @Test func plainAfterEmptyChallenge() throws {
        // The client did not send the initial response with AUTH; the server asks with "334 ".
        var sasl = try client(.plain, Self.password)
        #expect(try sasl.respond(to: []) == bytes("\u{0}alice\u{0}s3cret-pa55"))
        expectCode(.protocolViolation) { () throws(SMTPError) in _ = try sasl.respond(to: []) }
    }

    @Test func plainRejectsAChallengeAfterTheResponse() throws {
        var sasl = try client(.plain, Self.password)
        _ = try sasl.initialResponse()
        expectCode(.protocolViolation) { () throws(SMTPError) in _ = try sasl.respond(to: bytes("what?")) }
        expectCode(.authenticationFailed) { () throws(SMTPError) in try sasl.finish() }
    }

    @Test(arguments: [
        ("Username:", "Password:"), ("VXNlcm5hbWU6", "UGFzc3dvcmQ6"), ("User Name\u{0}", "Password\u{0}"), ("", ""),
    ])
    func loginAnswersByOrder(firstPrompt: String, secondPrompt: String) throws {
        var sasl = try client(.login, Self.password)
        #expect(try sasl.initialResponse() == nil)
        #expect(try sasl.respond(to: bytes(firstPrompt)) == bytes("alice"))
        #expect(try sasl.respond(to: bytes(secondPrompt)) == bytes("s3cret-pa55"))
        try sasl.finish()
        expectCode(.protocolViolation) { () throws(SMTPError) in _ = try sasl.respond(to: bytes("Password:")) }
    }

    @Test func cramMD5MatchesRFC2195() throws {
        var sasl = try client(.cramMD5, SMTPCredentials(username: "tim", password: "tanstaaftanstaaf"))
        #expect(try sasl.initialResponse() == nil)
        let challenge = try SASLBase64.challenge(
            in: SMTPReply(code: 334, text: "PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+"))
        #expect(challenge == bytes("<1896.697170952@postoffice.reston.mci.net>"))
        let response = try sasl.respond(to: challenge)
        #expect(text(response) == "tim b913a602c7eda7a495b4e6e7334d3890")
        #expect(SASLBase64.encode(response) == "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw")
        try sasl.finish()
        expectCode(.protocolViolation) { () throws(SMTPError) in _ = try sasl.respond(to: challenge) }
    }

    @Test func cramMD5RefusesAnEmptyChallenge() throws {
        var sasl = try client(.cramMD5, Self.password)
        expectCode(.protocolViolation) { () throws(SMTPError) in _ = try sasl.respond(to: []) }
    }

    // MARK: - XOAUTH2, OAUTHBEARER

    @Test func xoauth2ExactBytes() throws {
        var sasl = try client(
            .xoauth2,
            SMTPCredentials(
                username: "someuser@example.com", bearerToken: "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg"))
        let response = try #require(try sasl.initialResponse())
        #expect(
            text(response)
                == "user=someuser@example.com\u{1}auth=Bearer ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg\u{1}\u{1}")
        // Google's published example of the encoded string.
        #expect(
            SASLBase64.encode(response)
                == "dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2cBAQ=="
        )
        try sasl.finish()
    }

    @Test func xoauth2ErrorChallengeIsAcknowledgedWithAnEmptyResponse() throws {
        var sasl = try client(.xoauth2, Self.token)
        _ = try sasl.initialResponse()
        let error = #"{"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}"#
        #expect(try sasl.respond(to: bytes(error)) == [])
        #expect(sasl.serverError == error)
        expectCode(.protocolViolation) { () throws(SMTPError) in _ = try sasl.respond(to: bytes(error)) }
    }

    @Test func oauthBearerExactBytes() throws {
        var sasl = try client(
            .oauthBearer,
            SMTPCredentials(username: "user@example.com", bearerToken: "vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg=="))
        let response = try #require(try sasl.initialResponse())
        #expect(
            text(response)
                == "n,a=user@example.com,\u{1}host=smtp.example.com\u{1}port=587\u{1}auth=Bearer vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg==\u{1}\u{1}"
        )
    }

    @Test func oauthBearerUsesAndEscapesTheAuthorizationIdentity() throws {
        var sasl = try client(
            .oauthBearer, SMTPCredentials(username: "u", bearerToken: "T", authorizationIdentity: "a,b=c"))
        #expect(
            text(try sasl.initialResponse())
                == "n,a=a=2Cb=3Dc,\u{1}host=smtp.example.com\u{1}port=587\u{1}auth=Bearer T\u{1}\u{1}")
    }

    @Test func oauthBearerErrorChallengeIsAcknowledgedWithControlA() throws {
        var sasl = try client(.oauthBearer, Self.token)
        _ = try sasl.initialResponse()
        #expect(try sasl.respond(to: bytes(#"{"status":"invalid_token"}"#)) == [0x01])
        #expect(sasl.serverError == #"{"status":"invalid_token"}"#)
    }

    @Test func tokenMechanismsRefuseControlCharacters() throws {
        for mechanism in [SMTPAuthMechanism.xoauth2, .oauthBearer] {
            for credentials in [
                SMTPCredentials(username: "a\u{1}b", bearerToken: "t"),
                SMTPCredentials(username: "a", bearerToken: "t\u{1}auth=x"),
            ] {
                var sasl = try client(mechanism, credentials)
                expectCode(.invalidInput) { () throws(SMTPError) in _ = try sasl.initialResponse() }
            }
        }
    }

    @Test func credentialsMustFitTheMechanism() {
        for mechanism in [SMTPAuthMechanism.xoauth2, .oauthBearer] {
            expectCode(.invalidInput) { () throws(SMTPError) in _ = try client(mechanism, Self.password) }
        }
        for mechanism in [SMTPAuthMechanism.plain, .login, .cramMD5, .scramSHA256] {
            expectCode(.invalidInput) { () throws(SMTPError) in _ = try client(mechanism, Self.token) }
        }
    }

    // MARK: - PBKDF2 and SCRAM-SHA-256

    @Test func pbkdf2MatchesRFC7914() {
        #expect(
            SASLCrypto.hex(PBKDF2.sha256(password: bytes("passwd"), salt: bytes("salt"), iterations: 1, keyLength: 64))
                == "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783"
        )
        #expect(
            SASLCrypto.hex(
                PBKDF2.sha256(password: bytes("Password"), salt: bytes("NaCl"), iterations: 80000, keyLength: 64))
                == "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d"
        )
    }

    private static let rfc7677ServerFirst =
        "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"

    private func rfc7677Client() throws(SMTPError) -> SASLClient {
        try client(.scramSHA256, SMTPCredentials(username: "user", password: "pencil"), nonce: "rOprNGfwEbeRWgbNEkqO")
    }

    @Test func scramMatchesRFC7677() throws {
        var sasl = try rfc7677Client()
        #expect(text(try sasl.initialResponse()) == "n,,n=user,r=rOprNGfwEbeRWgbNEkqO")
        #expect(
            text(try sasl.respond(to: bytes(Self.rfc7677ServerFirst)))
                == "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
        )
        expectCode(.authenticationFailed) { () throws(SMTPError) in try sasl.finish() }
        #expect(try sasl.respond(to: bytes("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")) == [])
        try sasl.finish()
        expectCode(.protocolViolation) { () throws(SMTPError) in _ = try sasl.respond(to: []) }
    }

    @Test func scramAfterEmptyChallenge() throws {
        var sasl = try rfc7677Client()
        #expect(text(try sasl.respond(to: [])) == "n,,n=user,r=rOprNGfwEbeRWgbNEkqO")
    }

    @Test func scramFinishBeforeVerificationFails() throws {
        var sasl = try rfc7677Client()
        expectCode(.authenticationFailed) { () throws(SMTPError) in try sasl.finish() }
        _ = try sasl.initialResponse()
        expectCode(.authenticationFailed) { () throws(SMTPError) in try sasl.finish() }
    }

    @Test func scramRejectsABadServerSignature() throws {
        var sasl = try rfc7677Client()
        _ = try sasl.initialResponse()
        _ = try sasl.respond(to: bytes(Self.rfc7677ServerFirst))
        expectCode(.authenticationFailed) { () throws(SMTPError) in
            _ = try sasl.respond(to: bytes("v=7rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="))
        }
        expectCode(.authenticationFailed) { () throws(SMTPError) in try sasl.finish() }
        // The client is spent.
        expectCode(.protocolViolation) { () throws(SMTPError) in
            _ = try sasl.respond(to: bytes("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="))
        }
    }

    @Test(arguments: ["v=", "v=6rriTRBi23WpRR", "v=!!!!", "x=1", "", "v"])
    func scramRejectsAMalformedServerFinal(serverFinal: String) throws {
        var sasl = try rfc7677Client()
        _ = try sasl.initialResponse()
        _ = try sasl.respond(to: bytes(Self.rfc7677ServerFirst))
        do {
            _ = try sasl.respond(to: bytes(serverFinal))
            Issue.record("accepted \(serverFinal)")
        } catch {
            #expect(error.code == .authenticationFailed || error.code == .protocolViolation)
        }
        expectCode(.authenticationFailed) { () throws(SMTPError) in try sasl.finish() }
    }

    @Test func scramReportsTheServerError() throws {
        var sasl = try rfc7677Client()
        _ = try sasl.initialResponse()
        _ = try sasl.respond(to: bytes(Self.rfc7677ServerFirst))
        do {
            _ = try sasl.respond(to: bytes("e=invalid-proof"))
            Issue.record("e= was accepted")
        } catch {
            #expect(error.code == .authenticationFailed)
            #expect(error.message.contains("invalid-proof"))
        }
        #expect(sasl.serverError == "invalid-proof")
    }

    @Test(
        arguments: [
            // Server nonce does not start with the client nonce, or does not extend it.
            (
                "r=XOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
                .authenticationFailed
            ),
            ("r=rOprNGfwEbeRWgbNEkqO,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", .authenticationFailed),
            ("r=hvYDpWUa2RaTCAfuxFIlj,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", .authenticationFailed),
            // Iteration counts outside [4096, 1_000_000].
            ("r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4095", .authenticationFailed),
            ("r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=1", .authenticationFailed),
            ("r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=1000001", .authenticationFailed),
            ("r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4294967296000", .protocolViolation),
            // A server error, a mandatory extension.
            ("e=unknown-user", .authenticationFailed),
            ("m=ext,r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", .authenticationFailed),
            // Malformed.
            ("", .protocolViolation),
            ("garbage", .protocolViolation),
            ("r=rOprNGfwEbeRWgbNEkqOxyz,i=4096,s=W22ZaJ0SNY7soEsUEjb6gQ==", .protocolViolation),
            ("r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==", .protocolViolation),
            ("r=rOprNGfwEbeRWgbNEkqOxyz,s=not*base64,i=4096", .protocolViolation),
            ("r=rOprNGfwEbeRWgbNEkqOxyz,s=,i=4096", .protocolViolation),
            ("r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=-4096", .protocolViolation),
            ("r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096x", .protocolViolation),
            ("r=rOprNGfwEbeRWgbNEkqOxyz,,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", .protocolViolation),
        ] as [(String, SMTPError.Code)])
    func scramRejectsABadServerFirst(serverFirst: String, code: SMTPError.Code) throws {
        var sasl = try rfc7677Client()
        _ = try sasl.initialResponse()
        expectCode(code) { () throws(SMTPError) in _ = try sasl.respond(to: bytes(serverFirst)) }
        expectCode(.authenticationFailed) { () throws(SMTPError) in try sasl.finish() }
    }

    @Test func scramRejectsInvalidUTF8() throws {
        var sasl = try rfc7677Client()
        _ = try sasl.initialResponse()
        expectCode(.protocolViolation) { () throws(SMTPError) in
            _ = try sasl.respond(to: bytes("r=rOprNGfwEbeRWgbNEkqO") + [0xFF])
        }
    }

    @Test func scramAcceptsServerFirstExtensions() throws {
        var sasl = try rfc7677Client()
        _ = try sasl.initialResponse()
        let response = try sasl.respond(to: bytes(Self.rfc7677ServerFirst + ",x=future"))
        #expect(text(response)?.hasPrefix("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=") == true)
    }

    @Test func scramNamesAreEscapedAndPrepared() throws {
        var sasl = try client(
            .scramSHA256,
            SMTPCredentials(username: "a,b=c\u{00A0}d\u{00AD}e", password: "p", authorizationIdentity: "x=y"),
            nonce: "N")
        #expect(text(try sasl.initialResponse()) == "n,a=x=3Dy,n=a=2Cb=3Dc de,r=N")
        #expect(SASLBase64.encode(bytes("n,a=x=3Dy,")) == "bixhPXg9M0R5LA==")
    }

    @Test func scramRefusesProhibitedCharacters() throws {
        var sasl = try client(.scramSHA256, SMTPCredentials(username: "bad\u{7}user", password: "p"))
        expectCode(.invalidInput) { () throws(SMTPError) in _ = try sasl.initialResponse() }
        var withPassword = try client(
            .scramSHA256, SMTPCredentials(username: "user", password: "p\u{E000}"), nonce: "rOprNGfwEbeRWgbNEkqO")
        _ = try withPassword.initialResponse()
        expectCode(.invalidInput) { () throws(SMTPError) in
            _ = try withPassword.respond(to: bytes(Self.rfc7677ServerFirst))
        }
    }

    @Test func saslPrepMapsSpacesAndRemovesSoftHyphens() throws {
        #expect(try SASLprep.prepare("I\u{00AD}X", what: "x") == "IX")
        #expect(try SASLprep.prepare("user", what: "x") == "user")
        #expect(try SASLprep.prepare("a\u{2003}b\u{3000}c", what: "x") == "a b c")
        #expect(try SASLprep.prepare("a\u{200B}\u{FEFF}b", what: "x") == "ab")
        for bad in ["\u{7}", "a\u{7F}", "\u{85}", "\u{E000}", "\u{FFFF}", "\u{200E}", "\u{E0001}"] {
            #expect(throws: SMTPError.self) { try SASLprep.prepare(bad, what: "x") }
        }
    }

    @Test func nonceIsFreshPrintableAndCommaFree() {
        let first = SASLClient.makeNonce()
        let second = SASLClient.makeNonce()
        #expect(first != second)
        #expect(first.utf8.count == 32)
        #expect(first.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: ",") })
        #expect(SASLBase64.decode(first)?.count == 24)
    }

    // MARK: - Selection

    @Test(
        arguments: [
            (["PLAIN", "LOGIN", "CRAM-MD5", "SCRAM-SHA-256"], "SCRAM-SHA-256"),
            (["LOGIN", "PLAIN", "CRAM-MD5"], "CRAM-MD5"),
            (["login", "plain"], "PLAIN"),
            (["LOGIN"], "LOGIN"),
            (["LOGIN", "XOAUTH2", "OAUTHBEARER"], "LOGIN"),
            (["GSSAPI", "NTLM", "XOAUTH2"], nil),
            ([], nil),
        ] as [([String], String?)])
    func automaticSelectionForPasswords(offered: [String], expected: String?) {
        #expect(SMTPAuthentication.automatic.select(offered: offered, credentials: Self.password)?.name == expected)
    }

    @Test(
        arguments: [
            (["PLAIN", "XOAUTH2", "OAUTHBEARER", "SCRAM-SHA-256"], "OAUTHBEARER"),
            (["PLAIN", "LOGIN", "XOAUTH2"], "XOAUTH2"),
            (["oauthbearer"], "OAUTHBEARER"),
            (["PLAIN", "LOGIN", "CRAM-MD5", "SCRAM-SHA-256"], nil),
            ([], nil),
        ] as [([String], String?)])
    func automaticSelectionForTokens(offered: [String], expected: String?) {
        #expect(SMTPAuthentication.automatic.select(offered: offered, credentials: Self.token)?.name == expected)
    }

    @Test func explicitSelection() {
        let offered = ["PLAIN", "LOGIN", "SCRAM-SHA-256", "XOAUTH2"]
        #expect(SMTPAuthentication.mechanism(.login).select(offered: offered, credentials: Self.password) == .login)
        #expect(SMTPAuthentication.mechanism(.plain).select(offered: ["plain"], credentials: Self.password) == .plain)
        #expect(SMTPAuthentication.mechanism(.cramMD5).select(offered: offered, credentials: Self.password) == nil)
        #expect(SMTPAuthentication.mechanism(.xoauth2).select(offered: offered, credentials: Self.password) == nil)
        #expect(SMTPAuthentication.mechanism(.xoauth2).select(offered: offered, credentials: Self.token) == .xoauth2)
        #expect(SMTPAuthentication.mechanism(.plain).select(offered: offered, credentials: Self.token) == nil)
    }

    @Test func selectionFromCapabilities() {
        let capabilities = SMTPCapabilities(
            ehloReply: SMTPReply(code: 250, lines: ["mail.example.com", "AUTH PLAIN LOGIN cram-md5", "AUTH=LOGIN"]))
        #expect(
            SMTPAuthentication.automatic.select(
                offered: capabilities.authenticationMechanisms, credentials: Self.password)
                == .cramMD5)
    }

    // MARK: - Masking

    @Test func credentialsNeverShowTheSecret() {
        let password = SMTPCredentials(username: "alice", password: "hunter2-very-secret")
        #expect(String(describing: password) == #"SMTPCredentials(user: "alice", password: <redacted>)"#)
        let token = SMTPCredentials(username: "alice", bearerToken: "tok-ABCDEF", authorizationIdentity: "bob")
        #expect(
            String(describing: token)
                == #"SMTPCredentials(user: "alice", authorizationIdentity: "bob", bearerToken: <redacted>)"#)
        for (credentials, secret) in [(password, "hunter2-very-secret"), (token, "tok-ABCDEF")] {
            var dumped = ""
            dump(credentials, to: &dumped)
            for shown in [
                String(describing: credentials), String(reflecting: credentials), "\(credentials)", dumped,
                "\([credentials])",
            ] {
                #expect(!shown.contains(secret), "\(shown)")
                #expect(shown.contains("alice"))
                #expect(shown.contains("<redacted>"))
            }
            let children = Mirror(reflecting: credentials).children.map { "\($0.label ?? ""): \($0.value)" }
            #expect(!children.joined().contains(secret))
        }
        #expect(password.password == "hunter2-very-secret" && password.bearerToken == nil && !password.isBearerToken)
        #expect(token.bearerToken == "tok-ABCDEF" && token.password == nil && token.isBearerToken)
    }

    @Test func authCommandsOnTheWire() throws {
        func wire(_ command: SMTPCommand) throws(SMTPError) -> String {
            var buffer = ByteBuffer()
            try command.encode(into: &buffer)
            return String(buffer: buffer)
        }
        #expect(
            try wire(.auth(mechanism: .plain, initialResponse: bytes("\u{0}tim\u{0}tanstaaftanstaaf")))
                == "AUTH PLAIN AHRpbQB0YW5zdGFhZnRhbnN0YWFm\r\n")
        #expect(try wire(.auth(mechanism: .login, initialResponse: nil)) == "AUTH LOGIN\r\n")
        #expect(try wire(.auth(mechanism: .scramSHA256, initialResponse: [])) == "AUTH SCRAM-SHA-256 =\r\n")
        #expect(try wire(.authContinuation(bytes("tim"))) == "dGlt\r\n")
        #expect(try wire(.authContinuation([])) == "\r\n")
        #expect(try wire(.authCancel) == "*\r\n")
    }

    @Test func authCommandsAreMaskedInTheTrail() {
        let secret = bytes("\u{0}alice\u{0}hunter2")
        #expect(SMTPCommand.auth(mechanism: .plain, initialResponse: secret).trailLine == "AUTH PLAIN ****")
        #expect(SMTPCommand.auth(mechanism: .xoauth2, initialResponse: []).trailLine == "AUTH XOAUTH2 ****")
        #expect(SMTPCommand.auth(mechanism: .cramMD5, initialResponse: nil).trailLine == "AUTH CRAM-MD5")
        #expect(SMTPCommand.authContinuation(bytes("hunter2")).trailLine == "****")
        #expect(SMTPCommand.authCancel.trailLine == "*")
        #expect(SMTPCommand.raw("AUTH PLAIN AGFsaWNlAGh1bnRlcjI=").trailLine == "AUTH PLAIN ****")
        #expect(SMTPCommand.raw("auth login YWxpY2U=").trailLine == "auth login ****")
        #expect(SMTPCommand.raw("AUTH   PLAIN  AGFsaWNl AGh1").trailLine == "AUTH PLAIN ****")
        #expect(SMTPCommand.raw("AUTH LOGIN").trailLine == "AUTH LOGIN")
        #expect(SMTPCommand.raw("AUTHX PLAIN secret").trailLine == "AUTHX PLAIN secret")
        #expect(SMTPCommand.raw("NOOP hello there").trailLine == "NOOP hello there")
        for command in [
            SMTPCommand.auth(mechanism: .plain, initialResponse: secret), .authContinuation(bytes("hunter2")),
        ] {
            #expect(!command.trailLine.contains(SASLBase64.encode(secret)))
            #expect(!command.trailLine.contains("aHVudGVyMg"))
        }
    }

    // MARK: - State machine

    @Test func authCommandsMayGetIntermediateRepliesAndFailWithoutShowingTheSecret() {
        var machine = readyMachine()
        let initial = bytes("\u{0}alice\u{0}hunter2")
        #expect(
            machine.startCommand(.auth(mechanism: .plain, initialResponse: nil)).summary == .send(["AUTH PLAIN"]))
        #expect(machine.replyReceived(reply(334, "")).summary == .succeed("reply(334)", close: false))
        #expect(machine.startCommand(.authContinuation(initial)).summary == .send([SASLBase64.encode(initial)]))
        let action = machine.replyReceived(reply(535, "5.7.8 Authentication credentials invalid"))
        #expect(action.summary == .fail(.commandRejected, close: false))
        #expect(action.error?.message.contains(SASLBase64.encode(initial)) == false)
        #expect(action.error?.message.contains("****") == true)
        #expect(machine.isReady)
    }
}
