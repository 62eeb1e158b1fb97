/// The SMTP client protocol (RFC 5321, RFC 2920 pipelining) as a pure state machine.
///
/// It performs no I/O. A driver (``SMTPSession``) tells it what happened — the connection
/// came up, a reply arrived, the message body has been written, the connection went away —
/// and performs the ``Action`` it returns: write commands (several at once when
/// pipelining), stream the body, complete or fail the current request, close the
/// connection. After ``Action/sendCommands(_:)``, ``Action/sendDataTerminator`` and
/// ``Action/readReply`` the driver reads the next reply and feeds it to
/// ``replyReceived(_:)``; after ``Action/streamBody`` it writes the body and calls
/// ``dataBodyFinished(byteCount:)``.
///
/// One request runs at a time; calling a request method (``startTransaction(_:)``,
/// ``startCommand(_:)``, ``quitRequested()``) while another is running fails that call with
/// ``SMTPError/Code/busy`` and leaves the running request alone.
///
/// States are private so they can grow (STARTTLS, AUTH) without changing the driver's
/// contract; the connection phase, transactions and single commands live in extensions.
struct SMTPClientStateMachine: Sendable {
    /// The protocol choices the state machine makes.
    struct Configuration: Sendable {
        /// The argument of `EHLO`/`HELO`.
        var localHostname: String
        /// Whether to open the session with `EHLO` (and so use extensions) or with `HELO`.
        var useExtensions: Bool
        /// Whether a transaction in which some recipients were refused is abandoned.
        var stopOnRecipientErrors: Bool
        /// Whether a transaction starts with `RSET` unless the previous command was
        /// `EHLO`, `HELO` or `RSET`.
        var sendRSETBeforeTransaction: Bool
        /// Whether and how the session uses TLS (``SMTPTLSMode`` resolved for the port).
        var tls: ResolvedTLSMode = .none
        /// The credentials for `AUTH`; `nil`: no authentication.
        var credentials: SMTPCredentials? = nil
        /// Which mechanism to use.
        var authentication: SMTPAuthentication = .automatic
        /// Whether mechanisms that send the secret itself may run without TLS.
        var allowsAuthenticationWithoutTLS = false
        /// The server's host and port, which `OAUTHBEARER` sends.
        var serverHost = ""
        var serverPort = 0
        /// Whether content goes in `BDAT` chunks when the server offers `CHUNKING`.
        var useChunking = true
    }

    /// What a successful request produced.
    enum Outcome: Hashable, Sendable {
        /// The session is open (greeting and `EHLO`/`HELO` done).
        case connected(SMTPCapabilities)
        /// The message was accepted.
        case delivered(SMTPDeliveryResult)
        /// The reply to a single command.
        case reply(SMTPReply)
        /// `QUIT` was answered (or the server closed first).
        case disconnected(SMTPReply?)
    }

    /// What the driver must do next.
    enum Action: Sendable {
        /// Write these commands in one flush, then read the next reply.
        case sendCommands([SMTPCommand])
        /// Read the next reply.
        case readReply
        /// The server sent `354`: write the encoded body including its terminating `.`
        /// line, then call ``dataBodyFinished(byteCount:)``.
        case streamBody
        /// The envelope was accepted and the server offers `CHUNKING`: write the content in
        /// `BDAT` chunks, the last one with `LAST`, without waiting for their replies, then
        /// call ``dataBodyFinished(byteCount:chunkCount:)`` with the number of chunks. With
        /// `binary` (`BODY=BINARYMIME`) the content goes exactly as given.
        case streamBodyInChunks(binary: Bool)
        /// Write only the terminating `.` line (to end a `DATA` the server accepted
        /// although the transaction is being abandoned), then read the next reply.
        case sendDataTerminator
        /// The server accepted `STARTTLS`: make sure nothing else arrived in clear text, run
        /// the TLS handshake, then call ``tlsEstablished()`` (or ``errorCaught(_:)``).
        case startTLS
        /// The current request succeeded; close the connection if asked to.
        case succeed(Outcome, closeConnection: Bool)
        /// The current request failed; close the connection if asked to.
        case fail(SMTPError, closeConnection: Bool)
        /// Nothing to do.
        case none
    }

    enum State: Sendable {
        case idle
        case awaitingGreeting
        case awaitingHelloReply(extended: Bool)
        case awaitingStartTLSReply
        case awaitingTLSHandshake
        case authenticating(SASLClient, SMTPCapabilities)
        case cancellingAuthentication(SMTPError)
        case quittingAfterFailure(SMTPError)
        case ready
        case transaction(SMTPTransactionState)
        case command(SMTPCommand)
        case quitting
        case closed
        /// Held only while a transaction is updated in place, so that its arrays are not
        /// copied for every reply (a transaction with n recipients would cost O(n²)).
        case modifying
    }

    let configuration: Configuration
    var state: State = .idle

    /// The extensions negotiated with `EHLO` (or none after `HELO`); `nil` before the
    /// session is open and after it closed.
    private(set) var capabilities: SMTPCapabilities?

    /// Whether the connection is protected by TLS (implicit, or after `STARTTLS`).
    var isSecure = false

    /// The mechanism the server accepted the credentials with; `nil` when the session did
    /// not authenticate.
    var authenticatedMechanism: SMTPAuthMechanism?

    /// Whether the last command that changed the server's transaction state was `EHLO`,
    /// `HELO` or `RSET`, so that no `RSET` is needed before a new transaction.
    var serverStateIsReset = false

    init(configuration: Configuration) {
        self.configuration = configuration
    }

    /// Whether the session is open and no request is running.
    var isReady: Bool {
        if case .ready = self.state {
            return true
        }
        return false
    }

    /// Whether the connection is (still) in use: between ``connectionEstablished()`` and
    /// the end of the connection.
    var isConnectionOpen: Bool {
        switch self.state {
        case .idle, .closed:
            return false
        case .awaitingGreeting, .awaitingHelloReply, .awaitingStartTLSReply, .awaitingTLSHandshake, .authenticating,
            .cancellingAuthentication,
            .quittingAfterFailure, .ready, .transaction, .command, .quitting, .modifying:
            return true
        }
    }

    // MARK: - Events shared by all requests

    /// A reply arrived.
    mutating func replyReceived(_ reply: SMTPReply) -> Action {
        switch self.state {
        case .awaitingGreeting:
            return self.greetingReceived(reply)
        case .awaitingHelloReply(let extended):
            return self.helloReplyReceived(reply, extended: extended)
        case .awaitingStartTLSReply:
            return self.startTLSReplyReceived(reply)
        case .authenticating(var client, let capabilities):
            self.state = .modifying
            return self.authenticationReplyReceived(reply, client: &client, capabilities: capabilities)
        case .cancellingAuthentication(let error):
            return self.authenticationCancelled(reply, error: error)
        case .awaitingTLSHandshake:
            return self.close(
                failing: SMTPError(
                    .tlsHandshakeFailed, "the server sent a reply instead of starting the TLS handshake", reply: reply))
        case .quittingAfterFailure(let error):
            return self.close(failing: error)
        case .transaction(var transaction):
            self.state = .modifying
            return self.transactionReplyReceived(reply, transaction: &transaction)
        case .command(let command):
            return self.commandReplyReceived(reply, command: command)
        case .quitting:
            self.enterClosed()
            return .succeed(.disconnected(reply), closeConnection: true)
        case .idle, .ready, .closed:
            return self.close(
                failing: SMTPError(
                    .protocolViolation, "unexpected reply while no command was outstanding", reply: reply))
        case .modifying:
            preconditionFailure("the state machine was re-entered while updating a transaction")
        }
    }

    /// The connection was closed (by the server or the network).
    mutating func channelClosed() -> Action {
        self.connectionLost(SMTPError(.connectionClosed, "the server closed the connection"))
    }

    /// The connection failed (timeout, I/O error, cancellation) and is being closed.
    mutating func errorCaught(_ error: SMTPError) -> Action {
        self.connectionLost(error)
    }

    private mutating func connectionLost(_ error: SMTPError) -> Action {
        let state = self.state
        var error = error
        if case .transaction(let transaction) = state, transaction.awaitsFinalReply {
            error = error.markedMayHaveBeenDelivered()
        }
        self.enterClosed()
        switch state {
        case .quitting:
            return .succeed(.disconnected(nil), closeConnection: true)
        case .quittingAfterFailure(let greetingError):
            return .fail(greetingError, closeConnection: true)
        case .awaitingGreeting, .awaitingHelloReply, .awaitingStartTLSReply, .awaitingTLSHandshake, .authenticating,
            .cancellingAuthentication, .transaction,
            .command, .modifying:
            return .fail(error, closeConnection: true)
        case .idle, .ready, .closed:
            return .none
        }
    }

    /// Moves to `closed` and fails the current request, asking for the connection to close.
    mutating func close(failing error: SMTPError) -> Action {
        self.enterClosed()
        return .fail(error, closeConnection: true)
    }

    mutating func enterClosed() {
        self.state = .closed
        self.isSecure = false
        self.authenticatedMechanism = nil
        self.capabilities = nil
        self.serverStateIsReset = false
    }

    mutating func enterReady(capabilities: SMTPCapabilities) {
        self.capabilities = capabilities
        self.state = .ready
    }

    /// The error for a request that arrives while the machine cannot take it.
    var unavailableError: SMTPError {
        switch self.state {
        case .idle, .closed:
            return SMTPError(.notConnected, "the session is not connected")
        case .awaitingGreeting, .awaitingHelloReply, .awaitingStartTLSReply, .awaitingTLSHandshake, .authenticating,
            .cancellingAuthentication,
            .quittingAfterFailure, .transaction, .command, .quitting, .ready, .modifying:
            return SMTPError(.busy, "another operation is in progress")
        }
    }
}
