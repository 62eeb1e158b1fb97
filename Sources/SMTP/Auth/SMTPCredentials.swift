/// What the client proves its identity with when it authenticates (`AUTH`, RFC 4954):
/// a user name with either a password or an OAuth 2 bearer token.
///
/// The secret never appears in ``description``, ``debugDescription`` or in reflection
/// (`dump`, the debugger's child list): it is shown as `<redacted>`.
public struct SMTPCredentials: Sendable, Equatable, CustomStringConvertible,
    CustomDebugStringConvertible, CustomReflectable
{
    private enum Secret: Sendable, Equatable {
        case password(String)
        case bearerToken(String)
    }

    /// The authentication identity (SASL authcid): the account name the secret belongs to.
    public var username: String

    /// The identity to act as (SASL authzid), when it differs from ``username``; `nil`
    /// (the usual case) lets the server derive it from the authentication identity.
    public var authorizationIdentity: String?

    private var secret: Secret

    /// Credentials made of a user name and a password, for `SCRAM-SHA-256`, `CRAM-MD5`,
    /// `PLAIN` and `LOGIN`.
    ///
    /// - Parameters:
    ///   - username: The account name.
    ///   - password: The password.
    ///   - authorizationIdentity: The identity to act as, if not the account's own.
    public init(username: String, password: String, authorizationIdentity: String? = nil) {
        self.username = username
        self.secret = .password(password)
        self.authorizationIdentity = authorizationIdentity
    }

    /// Credentials made of a user name and an OAuth 2 access token, for `OAUTHBEARER`
    /// (RFC 7628) and `XOAUTH2`.
    ///
    /// - Parameters:
    ///   - username: The account name (usually the email address).
    ///   - bearerToken: The access token, without the `Bearer ` prefix.
    ///   - authorizationIdentity: The identity to act as, if not the account's own.
    public init(username: String, bearerToken: String, authorizationIdentity: String? = nil) {
        self.username = username
        self.secret = .bearerToken(bearerToken)
        self.authorizationIdentity = authorizationIdentity
    }

    /// The password, or `nil` when these credentials carry a bearer token.
    public var password: String? {
        guard case .password(let password) = self.secret else {
            return nil
        }
        return password
    }

    /// The OAuth 2 bearer token, or `nil` when these credentials carry a password.
    public var bearerToken: String? {
        guard case .bearerToken(let token) = self.secret else {
            return nil
        }
        return token
    }

    /// Whether these credentials carry a bearer token rather than a password.
    public var isBearerToken: Bool {
        self.bearerToken != nil
    }

    private var secretLabel: String {
        self.isBearerToken ? "bearerToken" : "password"
    }

    /// The user name and authorization identity, with the secret shown as `<redacted>`.
    public var description: String {
        var text = "SMTPCredentials(user: \(String(reflecting: self.username))"
        if let authorizationIdentity = self.authorizationIdentity {
            text += ", authorizationIdentity: \(String(reflecting: authorizationIdentity))"
        }
        return text + ", \(self.secretLabel): <redacted>)"
    }

    /// The same as ``description``: the secret is never shown.
    public var debugDescription: String {
        self.description
    }

    /// A mirror whose children show the secret as `<redacted>`.
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "username": self.username,
                "authorizationIdentity": self.authorizationIdentity as Any,
                self.secretLabel: "<redacted>",
            ],
            displayStyle: .struct)
    }
}
