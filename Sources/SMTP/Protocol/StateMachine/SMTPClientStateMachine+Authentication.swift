// Authentication (RFC 4954) after EHLO, and after TLS when the session uses it.
//
// The mechanism is chosen from the server's `AUTH` line (`SMTPAuthentication.select`).
// Mechanisms that put the secret on the wire (PLAIN, LOGIN, XOAUTH2, OAUTHBEARER) are refused
// before anything is sent when the connection is not protected by TLS, unless the
// configuration allows it by name. A challenge the client cannot answer is cancelled with
// `*`; a refusal ends the session with `QUIT`, because nothing can be sent unauthenticated.
extension SMTPClientStateMachine {
    /// The session is open and secured as configured: authenticate if credentials are
    /// configured, else the session is ready.
    mutating func startAuthentication(capabilities: SMTPCapabilities) -> Action {
        guard let credentials = self.configuration.credentials else {
            self.enterReady(capabilities: capabilities)
            return .succeed(.connected(capabilities), closeConnection: false)
        }
        let offered = capabilities.authenticationMechanisms
        guard !offered.isEmpty else {
            return self.quit(
                failing: SMTPError(
                    .authenticationUnavailable, "the server does not offer AUTH; nothing secret was sent"))
        }
        guard let mechanism = self.configuration.authentication.select(offered: offered, credentials: credentials)
        else {
            return self.quit(
                failing: SMTPError(
                    .authenticationUnavailable,
                    "no mechanism the server offers (\(offered.joined(separator: " "))) fits the configuration and credentials"
                ))
        }
        if mechanism.sendsSecretInClear, !self.isSecure, !self.configuration.allowsAuthenticationWithoutTLS {
            return self.quit(
                failing: SMTPError(
                    .authenticationUnavailable,
                    "AUTH \(mechanism.name) would send the credentials without TLS; nothing secret was sent"))
        }
        do {
            var client = try SASLClient(
                mechanism: mechanism, credentials: credentials, host: self.configuration.serverHost,
                port: self.configuration.serverPort)
            let initialResponse = try client.initialResponse()
            self.state = .authenticating(client, capabilities)
            return .sendCommands([.auth(mechanism: mechanism, initialResponse: initialResponse)])
        } catch {
            return self.quit(failing: error)
        }
    }

    mutating func authenticationReplyReceived(
        _ reply: SMTPReply, client: inout SASLClient, capabilities: SMTPCapabilities
    ) -> Action {
        let mechanism = client.mechanism.name
        switch reply.code {
        case 235:
            do {
                try client.finish()
            } catch {
                return self.quit(failing: error)
            }
            self.authenticatedMechanism = client.mechanism
            self.enterReady(capabilities: capabilities)
            return .succeed(.connected(capabilities), closeConnection: false)
        case 334:
            do {
                let challenge = try SASLBase64.challenge(in: reply)
                let response = try client.respond(to: challenge)
                self.state = .authenticating(client, capabilities)
                return .sendCommands([.authContinuation(response)])
            } catch {
                self.state = .cancellingAuthentication(error)
                return .sendCommands([.authCancel])
            }
        default:
            var message = "the server refused AUTH \(mechanism)"
            if let serverError = client.serverError {
                message += " (\(serverError))"
            }
            let error = SMTPError(.authenticationFailed, message, reply: reply)
            if reply.isServiceClosing || !(reply.isTransientFailure || reply.isPermanentFailure) {
                return self.close(failing: error)
            }
            return self.quit(failing: error)
        }
    }

    /// The answer to `*` arrived (normally `501`); the exchange failed with `error`.
    mutating func authenticationCancelled(_ reply: SMTPReply, error: SMTPError) -> Action {
        if reply.isServiceClosing {
            return self.close(failing: error)
        }
        return self.quit(failing: error)
    }

    /// Ends the session politely with `QUIT`, then fails the connect request with `error`.
    private mutating func quit(failing error: SMTPError) -> Action {
        self.state = .quittingAfterFailure(error)
        return .sendCommands([.quit])
    }
}
