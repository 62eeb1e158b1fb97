/// A SASL mechanism the client can authenticate with (`AUTH`, RFC 4954).
///
/// New mechanisms may be added in minor releases, so `switch` statements over mechanisms
/// should keep a `default` branch.
public struct SMTPAuthMechanism: Hashable, Sendable, CustomStringConvertible {
    private enum Base: String, Hashable, Sendable, CaseIterable {
        case plain = "PLAIN"
        case login = "LOGIN"
        case cramMD5 = "CRAM-MD5"
        case xoauth2 = "XOAUTH2"
        case oauthBearer = "OAUTHBEARER"
        case scramSHA256 = "SCRAM-SHA-256"
    }

    private let base: Base

    private init(_ base: Base) {
        self.base = base
    }

    /// `PLAIN` (RFC 4616): the password in clear text, in the first command.
    public static let plain = SMTPAuthMechanism(.plain)
    /// `LOGIN`: user name and password in clear text, each in answer to a prompt.
    public static let login = SMTPAuthMechanism(.login)
    /// `CRAM-MD5` (RFC 2195): an HMAC-MD5 of a server challenge keyed with the password.
    /// The password is not sent, but the server must store it in clear text.
    public static let cramMD5 = SMTPAuthMechanism(.cramMD5)
    /// `XOAUTH2`: an OAuth 2 bearer token, in the form Google and Microsoft introduced.
    public static let xoauth2 = SMTPAuthMechanism(.xoauth2)
    /// `OAUTHBEARER` (RFC 7628): an OAuth 2 bearer token.
    public static let oauthBearer = SMTPAuthMechanism(.oauthBearer)
    /// `SCRAM-SHA-256` (RFC 7677): a salted challenge-response proof; the password is not
    /// sent and the server proves that it knows it too.
    public static let scramSHA256 = SMTPAuthMechanism(.scramSHA256)

    /// Every mechanism this client implements.
    public static let all: [SMTPAuthMechanism] = Base.allCases.map(SMTPAuthMechanism.init)

    /// The mechanism called `name` (case-insensitive), or `nil` if this client does not
    /// implement it.
    ///
    /// - Parameter name: A SASL mechanism name, for example `"scram-sha-256"`.
    public init?(name: String) {
        guard let base = Base(rawValue: name.uppercased()) else {
            return nil
        }
        self.base = base
    }

    /// The SASL name, as written in `AUTH` commands and in the `EHLO` reply: `PLAIN`,
    /// `LOGIN`, `CRAM-MD5`, `XOAUTH2`, `OAUTHBEARER` or `SCRAM-SHA-256`.
    public var name: String {
        self.base.rawValue
    }

    /// Whether anyone who reads the exchange learns the secret (password or token), so the
    /// mechanism must only be used over TLS: `true` for `PLAIN`, `LOGIN`, `XOAUTH2` and
    /// `OAUTHBEARER`.
    public var sendsSecretInClear: Bool {
        switch self.base {
        case .plain, .login, .xoauth2, .oauthBearer:
            return true
        case .cramMD5, .scramSHA256:
            return false
        }
    }

    /// Whether the mechanism authenticates with a bearer token (`XOAUTH2`, `OAUTHBEARER`)
    /// rather than a password.
    public var usesBearerToken: Bool {
        switch self.base {
        case .xoauth2, .oauthBearer:
            return true
        case .plain, .login, .cramMD5, .scramSHA256:
            return false
        }
    }

    /// Whether the client speaks first (`AUTH NAME initial-response`) rather than waiting
    /// for a challenge: `false` for `LOGIN` and `CRAM-MD5`.
    var hasInitialResponse: Bool {
        switch self.base {
        case .plain, .xoauth2, .oauthBearer, .scramSHA256:
            return true
        case .login, .cramMD5:
            return false
        }
    }

    /// Whether `credentials` carry the kind of secret this mechanism needs.
    func accepts(_ credentials: SMTPCredentials) -> Bool {
        self.usesBearerToken == credentials.isBearerToken
    }

    /// The SASL name.
    public var description: String {
        self.name
    }
}
