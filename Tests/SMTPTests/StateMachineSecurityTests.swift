import Testing

@testable import SMTP

/// STARTTLS (RFC 3207) and AUTH (RFC 4954) in the connection phase of the state machine.
@Suite("State machine: STARTTLS and AUTH")
struct StateMachineSecurityTests {
    private func machine(
        tls: ResolvedTLSMode, credentials: SMTPCredentials? = nil, authentication: SMTPAuthentication = .automatic,
        allowsAuthenticationWithoutTLS: Bool = false
    ) -> SMTPClientStateMachine {
        var configuration = machineConfiguration(tls: tls)
        configuration.credentials = credentials
        configuration.authentication = authentication
        configuration.allowsAuthenticationWithoutTLS = allowsAuthenticationWithoutTLS
        configuration.serverHost = "mx.example"
        configuration.serverPort = 587
        var machine = SMTPClientStateMachine(configuration: configuration)
        _ = machine.connectionEstablished()
        _ = machine.replyReceived(reply(220, "mx.example ESMTP"))
        return machine
    }

    private let password = SMTPCredentials(username: "alice", password: "wonderland")

    @Test func requiredSTARTTLSUpgradesThenSaysEHLOAgainAndForgetsTheFirstCapabilities() {
        var machine = machine(tls: .startTLS(required: true))
        let first = SMTPReply(code: 250, lines: ["mx.example", "STARTTLS", "AUTH PLAIN", "X-CLEARTEXT-ONLY"])
        #expect(machine.replyReceived(first).summary == .send(["STARTTLS"]))
        #expect(machine.capabilities == nil)
        #expect(machine.replyReceived(reply(220, "go ahead")).summary == .startTLS)
        #expect(!machine.isSecure)
        #expect(machine.tlsEstablished().summary == .send(["EHLO client.example"]))
        #expect(machine.isSecure)
        let second = SMTPReply(code: 250, lines: ["mx.example", "AUTH PLAIN LOGIN", "SIZE 1000"])
        #expect(machine.replyReceived(second).summary == .succeed("connected(EHLO)", close: false))
        #expect(machine.capabilities?.contains("X-CLEARTEXT-ONLY") == false)
        #expect(machine.capabilities?.maximumMessageSize == 1000)
    }

    @Test func requiredSTARTTLSThatIsNotOfferedFailsBeforeAnythingElseIsSent() {
        var machine = machine(tls: .startTLS(required: true), credentials: password)
        let action = machine.replyReceived(SMTPReply(code: 250, lines: ["mx.example", "AUTH PLAIN"]))
        #expect(action.summary == .fail(.tlsUnavailable, close: true))
        #expect(action.error?.psmtpErrorCode == 276)
        #expect(!machine.isConnectionOpen)
    }

    @Test func afterHELORequiredSTARTTLSIsUnavailable() {
        var machine = machine(tls: .startTLS(required: true))
        #expect(machine.replyReceived(reply(500, "what?")).summary == .send(["HELO client.example"]))
        #expect(machine.replyReceived(reply(250, "mx.example")).summary == .fail(.tlsUnavailable, close: true))
    }

    @Test(arguments: [454, 501, 554])
    func requiredSTARTTLSThatIsRefusedFails(code: Int) {
        var machine = machine(tls: .startTLS(required: true))
        _ = machine.replyReceived(SMTPReply(code: 250, lines: ["mx.example", "STARTTLS"]))
        let action = machine.replyReceived(reply(code, "TLS not available"))
        #expect(action.summary == .fail(.tlsUnavailable, close: true))
        #expect(action.error?.reply?.code == code)
    }

    @Test func opportunisticSTARTTLSGoesOnInClearTextWhenNotOfferedOrRefused() {
        var notOffered = machine(tls: .startTLS(required: false))
        #expect(
            notOffered.replyReceived(SMTPReply(code: 250, lines: ["mx.example"])).summary
                == .succeed("connected(EHLO)", close: false))
        #expect(!notOffered.isSecure)

        var refused = machine(tls: .startTLS(required: false))
        _ = refused.replyReceived(SMTPReply(code: 250, lines: ["mx.example", "STARTTLS"]))
        #expect(refused.replyReceived(reply(454, "not now")).summary == .send(["EHLO client.example"]))
        #expect(refused.replyReceived(reply(250, "mx.example")).summary == .succeed("connected(EHLO)", close: false))
        #expect(!refused.isSecure)
    }

    @Test func aReplyInsteadOfTheHandshakeFails() {
        var machine = machine(tls: .startTLS(required: true))
        _ = machine.replyReceived(SMTPReply(code: 250, lines: ["mx.example", "STARTTLS"]))
        _ = machine.replyReceived(reply(220, "go ahead"))
        #expect(machine.replyReceived(reply(250, "injected")).summary == .fail(.tlsHandshakeFailed, close: true))
    }

    @Test func aHandshakeFailureClosesTheConnection() {
        var machine = machine(tls: .startTLS(required: true))
        _ = machine.replyReceived(SMTPReply(code: 250, lines: ["mx.example", "STARTTLS"]))
        _ = machine.replyReceived(reply(220, "go ahead"))
        let action = machine.errorCaught(SMTPError(.certificateRejected, "bad certificate"))
        #expect(action.summary == .fail(.certificateRejected, close: true))
        #expect(!machine.isConnectionOpen)
    }

    @Test func implicitTLSIsSecureFromTheStartAndNeverSendsSTARTTLS() {
        var machine = machine(tls: .implicit, credentials: password)
        #expect(machine.isSecure)
        let ehlo = SMTPReply(code: 250, lines: ["mx.example", "STARTTLS", "AUTH PLAIN"])
        guard case .sendCommands(let commands) = machine.replyReceived(ehlo) else {
            Issue.record("expected AUTH")
            return
        }
        #expect(commands.map(\.trailLine) == ["AUTH PLAIN ****"])
    }

    @Test func plainAuthenticationAfterTLS() {
        var machine = machine(tls: .implicit, credentials: password)
        let action = machine.replyReceived(SMTPReply(code: 250, lines: ["mx.example", "AUTH LOGIN PLAIN"]))
        guard case .sendCommands(let commands) = action else {
            Issue.record("expected AUTH, got \(action.summary)")
            return
        }
        #expect(commands.map(\.line) == ["AUTH PLAIN " + SASLBase64.encode(Array("\u{0}alice\u{0}wonderland".utf8))])
        #expect(
            machine.replyReceived(reply(235, "2.7.0 Authentication successful")).summary
                == .succeed("connected(EHLO)", close: false))
        #expect(machine.authenticatedMechanism == .plain)
    }

    @Test func loginAnswersTwoChallenges() {
        var machine = machine(tls: .implicit, credentials: password, authentication: .mechanism(.login))
        #expect(
            machine.replyReceived(SMTPReply(code: 250, lines: ["mx.example", "AUTH LOGIN"])).summary
                == .send(["AUTH LOGIN"]))
        let user = machine.replyReceived(reply(334, SASLBase64.encode(Array("Username:".utf8))))
        #expect(user.summary == .send([SASLBase64.encode(Array("alice".utf8))]))
        let secret = machine.replyReceived(reply(334, SASLBase64.encode(Array("Password:".utf8))))
        #expect(secret.summary == .send([SASLBase64.encode(Array("wonderland".utf8))]))
        #expect(machine.replyReceived(reply(235)).summary == .succeed("connected(EHLO)", close: false))
    }

    @Test func clearTextMechanismsAreNeverSentWithoutTLSUnlessAllowed() {
        var refused = machine(tls: .none, credentials: password)
        let action = refused.replyReceived(SMTPReply(code: 250, lines: ["mx.example", "AUTH PLAIN LOGIN"]))
        #expect(action.summary == .send(["QUIT"]), "nothing secret is sent; the session ends")
        let final = refused.replyReceived(reply(221, "bye"))
        #expect(final.summary == .fail(.authenticationUnavailable, close: true))

        var allowed = machine(tls: .none, credentials: password, allowsAuthenticationWithoutTLS: true)
        guard
            case .sendCommands(let commands) = allowed.replyReceived(
                SMTPReply(code: 250, lines: ["mx.example", "AUTH PLAIN"]))
        else {
            Issue.record("expected AUTH")
            return
        }
        #expect(commands.map(\.trailLine) == ["AUTH PLAIN ****"])
    }

    @Test func automaticPrefersAMechanismThatHidesThePasswordWithoutTLS() {
        var machine = machine(tls: .none, credentials: password)
        let action = machine.replyReceived(SMTPReply(code: 250, lines: ["mx.example", "AUTH PLAIN LOGIN CRAM-MD5"]))
        #expect(action.summary == .send(["AUTH CRAM-MD5"]))
    }

    @Test func noAuthOfferedOrNoFittingMechanismIsUnavailable() {
        var none = machine(tls: .implicit, credentials: password)
        #expect(none.replyReceived(SMTPReply(code: 250, lines: ["mx.example"])).summary == .send(["QUIT"]))
        #expect(none.replyReceived(reply(221)).summary == .fail(.authenticationUnavailable, close: true))

        var token = machine(tls: .implicit, credentials: SMTPCredentials(username: "alice", bearerToken: "ya29.token"))
        #expect(
            token.replyReceived(SMTPReply(code: 250, lines: ["mx.example", "AUTH PLAIN LOGIN"])).summary
                == .send(["QUIT"]))
        #expect(token.replyReceived(reply(221)).summary == .fail(.authenticationUnavailable, close: true))
    }

    @Test(arguments: [535, 534, 454])
    func refusedCredentialsFailAfterQUIT(code: Int) {
        var machine = machine(tls: .implicit, credentials: password)
        _ = machine.replyReceived(SMTPReply(code: 250, lines: ["mx.example", "AUTH PLAIN"]))
        #expect(
            machine.replyReceived(reply(code, "5.7.8 Authentication credentials invalid")).summary == .send(["QUIT"]))
        let action = machine.replyReceived(reply(221, "bye"))
        #expect(action.summary == .fail(.authenticationFailed, close: true))
        #expect(action.error?.reply?.code == code)
        #expect(action.error?.message.contains("wonderland") == false)
    }

    @Test func aMalformedChallengeIsCancelledWithAStar() {
        var machine = machine(tls: .implicit, credentials: password, authentication: .mechanism(.login))
        _ = machine.replyReceived(SMTPReply(code: 250, lines: ["mx.example", "AUTH LOGIN"]))
        #expect(machine.replyReceived(reply(334, "%%% not base64")).summary == .send(["*"]))
        #expect(machine.replyReceived(reply(501, "cancelled")).summary == .send(["QUIT"]))
        #expect(machine.replyReceived(reply(221)).summary == .fail(.protocolViolation, close: true))
    }

    @Test func theConnectionClosingDuringAUTHFailsTheConnect() {
        var machine = machine(tls: .implicit, credentials: password)
        _ = machine.replyReceived(SMTPReply(code: 250, lines: ["mx.example", "AUTH PLAIN"]))
        #expect(machine.channelClosed().summary == .fail(.connectionClosed, close: true))
        #expect(machine.authenticatedMechanism == nil)
    }
}
