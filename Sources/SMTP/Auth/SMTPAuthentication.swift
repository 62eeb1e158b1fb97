/// How the client chooses the SASL mechanism it authenticates with.
public enum SMTPAuthentication: Hashable, Sendable {
    /// The strongest mechanism the server offers that fits the credentials: for a password
    /// `SCRAM-SHA-256`, then `CRAM-MD5`, `PLAIN`, `LOGIN`; for a bearer token
    /// `OAUTHBEARER`, then `XOAUTH2`.
    case automatic
    /// Exactly this mechanism; authentication is unavailable if the server does not offer
    /// it or it does not fit the credentials.
    case mechanism(SMTPAuthMechanism)

    /// The mechanisms `.automatic` tries for a password, strongest first.
    static let passwordPreference: [SMTPAuthMechanism] = [.scramSHA256, .cramMD5, .plain, .login]
    /// The mechanisms `.automatic` tries for a bearer token, strongest first.
    static let bearerTokenPreference: [SMTPAuthMechanism] = [.oauthBearer, .xoauth2]

    /// The mechanism to authenticate with, or `nil` if nothing the server offers fits.
    ///
    /// Whether the mechanism may send its secret over the connection (see
    /// ``SMTPAuthMechanism/sendsSecretInClear``) is for the caller to decide.
    ///
    /// - Parameters:
    ///   - offered: The mechanism names of the server's `EHLO` `AUTH` line (any case), see
    ///     ``SMTPCapabilities/authenticationMechanisms``.
    ///   - credentials: The credentials to authenticate with.
    func select(offered: [String], credentials: SMTPCredentials) -> SMTPAuthMechanism? {
        let offeredMechanisms = Set(offered.compactMap(SMTPAuthMechanism.init(name:)))
        switch self {
        case .automatic:
            let preference = credentials.isBearerToken ? Self.bearerTokenPreference : Self.passwordPreference
            return preference.first { offeredMechanisms.contains($0) }
        case .mechanism(let mechanism):
            guard offeredMechanisms.contains(mechanism), mechanism.accepts(credentials) else {
                return nil
            }
            return mechanism
        }
    }
}
