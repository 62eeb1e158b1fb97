import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A real SMTP server for end-to-end tests: Python's aiosmtpd, started as a child process
/// on 127.0.0.1 with a free port. It announces PIPELINING, refuses recipients whose local
/// part starts with `refuse`, answers `VRFY known@example.org` with 250 and other `VRFY`s
/// with 550, and writes every message it accepts to `message-N.eml` (the content exactly as
/// received after un-stuffing) and `message-N.json` (the envelope, the authenticated login
/// and the TLS state) in its directory.
///
/// Optionally it offers STARTTLS (or requires it before MAIL), or speaks TLS from the first
/// byte (port-465 style), and offers AUTH PLAIN, LOGIN, CRAM-MD5 and XOAUTH2 against a user
/// table (see `TLS` and `Auth`).
public final class AiosmtpdServer: Sendable {
    /// Whether `python3` can import aiosmtpd here.
    public static let isAvailable: Bool = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import aiosmtpd"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return false
        }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()

    /// Whether the tests must run (CI is set): then a missing aiosmtpd fails them.
    public static let isRequired = ProcessInfo.processInfo.environment["CI"] != nil

    /// How the server speaks TLS.
    public struct TLS: Sendable {
        public enum Mode: Sendable {
            /// STARTTLS is offered; plain-text mail is accepted too.
            case starttls
            /// STARTTLS is offered, and every command but EHLO, HELO, NOOP, QUIT and STARTTLS
            /// is refused with 530 before it (aiosmtpd's `require_starttls`).
            case starttlsRequired
            /// TLS from the first byte (port-465 style, aiosmtpd's `ssl_context`).
            case implicit
        }

        public var mode: Mode
        /// The server's certificate chain (PEM file).
        public var certificatePath: String
        /// The server's private key (PEM file).
        public var privateKeyPath: String
        /// When set, the server asks for a client certificate (optional, not required) and
        /// verifies it against this CA file; the recorded message names its subject.
        public var clientCAPath: String?

        public init(_ mode: Mode, certificatePath: String, privateKeyPath: String, clientCAPath: String? = nil) {
            self.mode = mode
            self.certificatePath = certificatePath
            self.privateKeyPath = privateKeyPath
            self.clientCAPath = clientCAPath
        }

        /// TLS with `pki`'s server certificate (or another of its credentials).
        public init(_ mode: Mode, pki: TestPKI, credential: TestPKI.Credential? = nil, verifyClients: Bool = false) {
            let credential = credential ?? pki.server
            self.init(
                mode, certificatePath: credential.certificatePath, privateKeyPath: credential.privateKeyPath,
                clientCAPath: verifyClients ? pki.caCertificatePath : nil)
        }
    }

    /// AUTH against a user table.
    public struct Auth: Sendable {
        /// Mechanisms the server can offer.
        public enum Mechanism: String, Sendable, CaseIterable {
            /// aiosmtpd's built-in PLAIN.
            case plain = "PLAIN"
            /// aiosmtpd's built-in LOGIN.
            case login = "LOGIN"
            /// A handler method here (RFC 2195), checked against `users`.
            case cramMD5 = "CRAM-MD5"
            /// A handler method here (Google's XOAUTH2), checked against `xoauth2Tokens`.
            case xoauth2 = "XOAUTH2"
        }

        /// Login → password, for PLAIN, LOGIN and CRAM-MD5.
        public var users: [String: String]
        /// Login → bearer token, for XOAUTH2.
        public var xoauth2Tokens: [String: String]
        /// The mechanisms offered.
        public var mechanisms: Set<Mechanism>
        /// AUTH only after STARTTLS (aiosmtpd's `auth_require_tls`; moot with implicit TLS).
        public var requireTLS: Bool
        /// MAIL only after a successful AUTH (aiosmtpd's `auth_required`).
        public var required: Bool

        public init(
            users: [String: String], xoauth2Tokens: [String: String] = [:],
            mechanisms: Set<Mechanism> = Set(Mechanism.allCases), requireTLS: Bool = true, required: Bool = false
        ) {
            self.users = users
            self.xoauth2Tokens = xoauth2Tokens
            self.mechanisms = mechanisms
            self.requireTLS = requireTLS
            self.required = required
        }
    }

    /// A message the server accepted.
    public struct Message: Sendable {
        public var mailFrom: String
        public var recipients: [String]
        public var mailOptions: [String]
        public var heloName: String
        public var content: [UInt8]
        /// The login that authenticated the session, if any.
        public var login: String?
        /// The mechanism that authenticated the session, if any.
        public var authMechanism: String?
        /// Whether the message came over TLS (after STARTTLS, or implicit TLS).
        public var tls: Bool
        /// The TLS protocol version (`TLSv1.3`…) if over TLS.
        public var tlsVersion: String?
        /// The verified client certificate's subject common name, if one was presented.
        public var clientCertificateSubject: String?
    }

    /// The port the server listens on (127.0.0.1).
    public let port: Int
    /// The server's private directory (script, log, received messages).
    public let directory: URL
    private let process: Process
    private let stdin: Pipe

    private init(port: Int, directory: URL, process: Process, stdin: Pipe) {
        self.port = port
        self.directory = directory
        self.process = process
        self.stdin = stdin
    }

    /// Starts a server and waits until it listens.
    ///
    /// - Parameters:
    ///   - tls: How to speak TLS; nil for plain text only.
    ///   - auth: The users AUTH accepts; nil for no AUTH.
    public static func start(tls: TLS? = nil, auth: Auth? = nil) async throws -> AiosmtpdServer {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("aiosmtpd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let script = directory.appendingPathComponent("server.py")
        try Self.script.write(to: script, atomically: true, encoding: .utf8)
        try Self.configuration(tls: tls, auth: auth).write(to: directory.appendingPathComponent("config.json"))

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, directory.path]
        let stdin = Pipe()
        process.standardInput = stdin
        process.standardOutput = FileHandle.nullDevice
        let log = directory.appendingPathComponent("server.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: log)
        try process.run()

        let server = AiosmtpdServer(port: 0, directory: directory, process: process, stdin: stdin)
        let portFile = directory.appendingPathComponent("port")
        for _ in 0..<300 {
            if let text = try? String(contentsOf: portFile, encoding: .utf8), let port = Int(text) {
                return AiosmtpdServer(port: port, directory: directory, process: process, stdin: stdin)
            }
            guard process.isRunning else {
                break
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        server.stop()
        throw TestSupportError("aiosmtpd did not start: \(output)")
    }

    private static func configuration(tls: TLS?, auth: Auth?) throws -> Data {
        var object: [String: Any] = [:]
        if let tls {
            let mode: String
            switch tls.mode {
            case .starttls: mode = "starttls"
            case .starttlsRequired: mode = "starttls-required"
            case .implicit: mode = "implicit"
            }
            var tlsObject: [String: Any] = ["mode": mode, "cert": tls.certificatePath, "key": tls.privateKeyPath]
            if let clientCA = tls.clientCAPath {
                tlsObject["client_ca"] = clientCA
            }
            object["tls"] = tlsObject
        }
        if let auth {
            object["auth"] =
                [
                    "users": auth.users, "tokens": auth.xoauth2Tokens,
                    "mechanisms": auth.mechanisms.map(\.rawValue).sorted(),
                    "require_tls": auth.requireTLS, "required": auth.required,
                ] as [String: Any]
        }
        return try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    }

    /// Kills the server process and removes its directory.
    ///
    /// SIGKILL, because a child started by Foundation's `Process` from a concurrency
    /// thread may inherit a signal mask that blocks SIGTERM.
    public func stop() {
        if self.process.isRunning {
            _ = kill(self.process.processIdentifier, SIGKILL)
        }
        self.process.waitUntilExit()
        try? self.stdin.fileHandleForWriting.close()
        try? FileManager.default.removeItem(at: self.directory)
    }

    /// What the server logged so far (aiosmtpd's log and Python errors).
    public func log() -> String {
        (try? String(contentsOf: self.directory.appendingPathComponent("server.log"), encoding: .utf8)) ?? ""
    }

    /// The messages received so far, in order.
    public func messages() throws -> [Message] {
        var messages: [Message] = []
        var index = 1
        while true {
            let base = self.directory.appendingPathComponent("message-\(index)")
            guard let json = try? Data(contentsOf: base.appendingPathExtension("json")) else {
                return messages
            }
            let envelope = try JSONDecoder().decode(Envelope.self, from: json)
            let content = try Data(contentsOf: base.appendingPathExtension("eml"))
            messages.append(
                Message(
                    mailFrom: envelope.mail_from, recipients: envelope.rcpt_tos, mailOptions: envelope.mail_options,
                    heloName: envelope.helo, content: Array(content), login: envelope.login,
                    authMechanism: envelope.mechanism, tls: envelope.tls, tlsVersion: envelope.tls_version,
                    clientCertificateSubject: envelope.client_cert))
            index += 1
        }
    }

    private struct Envelope: Decodable {
        var mail_from: String
        var rcpt_tos: [String]
        var mail_options: [String]
        var helo: String
        var login: String?
        var mechanism: String?
        var tls: Bool
        var tls_version: String?
        var client_cert: String?
    }

    private static let script = #"""
        import base64, hmac, json, logging, os, secrets, signal, socket, ssl, sys, time
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import MISSING, AuthResult, LoginPassword

        # The parent's blocked signals are inherited; make SIGTERM and SIGINT work again.
        signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])
        logging.basicConfig(level=logging.INFO, stream=sys.stderr)

        directory = sys.argv[1]
        with open(os.path.join(directory, 'config.json')) as f:
            config = json.load(f)
        tls = config.get('tls')
        auth = config.get('auth')
        users = auth['users'] if auth else {}
        tokens = auth['tokens'] if auth else {}

        # A failed AuthResult must say handled=False for aiosmtpd to answer it (535 or message).
        class Identity:
            def __init__(self, login, mechanism):
                self.login = login
                self.mechanism = mechanism

        def authenticator(server, session, envelope, mechanism, auth_data):
            if isinstance(auth_data, LoginPassword):
                login = auth_data.login.decode('utf-8', 'replace')
                password = auth_data.password.decode('utf-8', 'replace')
                if login in users and hmac.compare_digest(users[login].encode(), password.encode()):
                    return AuthResult(success=True, auth_data=Identity(login, mechanism))
            return AuthResult(success=False, handled=False)

        def tls_object(server):
            transport = server.transport
            obj = transport.get_extra_info('ssl_object') if transport is not None else None
            if obj is None and server.session is not None and server.session.ssl:
                obj = server.session.ssl.get('ssl_object')
            return obj

        class Handler:
            def __init__(self):
                self.count = 0

            async def handle_EHLO(self, server, session, envelope, hostname, responses):
                session.host_name = hostname
                if not auth:
                    responses = [r for r in responses if not r.startswith('250-AUTH')]
                responses.insert(len(responses) - 1, '250-PIPELINING')
                return responses

            async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
                if address.startswith('refuse'):
                    return '550 5.1.1 No such user here'
                envelope.rcpt_tos.append(address)
                envelope.rcpt_options.append(rcpt_options)
                return '250 2.1.5 OK'

            async def handle_VRFY(self, server, session, envelope, address):
                if address == 'known@example.org':
                    return '250 2.1.5 Known User <known@example.org>'
                return '550 5.1.1 Unknown user'

            async def handle_DATA(self, server, session, envelope):
                self.count += 1
                base = os.path.join(directory, 'message-%d' % self.count)
                with open(base + '.eml', 'wb') as f:
                    f.write(envelope.original_content)
                identity = session.auth_data if session.authenticated else None
                obj = tls_object(server)
                client_cert = None
                if obj is not None:
                    peer = obj.getpeercert()
                    if peer:
                        for rdn in peer.get('subject', ()):
                            for key, value in rdn:
                                if key == 'commonName':
                                    client_cert = value
                meta = {'mail_from': envelope.mail_from, 'rcpt_tos': envelope.rcpt_tos,
                        'mail_options': envelope.mail_options, 'helo': session.host_name,
                        'login': getattr(identity, 'login', None),
                        'mechanism': getattr(identity, 'mechanism', None),
                        'tls': obj is not None, 'tls_version': obj.version() if obj is not None else None,
                        'client_cert': client_cert}
                with open(base + '.tmp', 'w') as f:
                    json.dump(meta, f)
                os.rename(base + '.tmp', base + '.json')
                return '250 2.0.0 OK queued as %d' % self.count

            # Custom mechanisms: aiosmtpd maps auth_CRAM__MD5 to CRAM-MD5.
            async def auth_CRAM__MD5(self, server, args):
                if len(args) != 1:
                    await server.push('501 5.5.4 CRAM-MD5 takes no initial response')
                    return AuthResult(success=False, handled=True)
                challenge = '<%s.%d@aiosmtpd.test>' % (secrets.token_hex(8), int(time.time()))
                response = await server.challenge_auth(challenge)
                if response is MISSING:
                    return AuthResult(success=False, handled=True)
                try:
                    login, digest = response.decode('utf-8').rsplit(' ', 1)
                except ValueError:
                    return AuthResult(success=False, handled=False)
                if login in users:
                    expected = hmac.new(users[login].encode(), challenge.encode(), 'md5').hexdigest()
                    if hmac.compare_digest(expected, digest.lower()):
                        return AuthResult(success=True, auth_data=Identity(login, 'CRAM-MD5'))
                return AuthResult(success=False, handled=False)

            async def auth_XOAUTH2(self, server, args):
                if len(args) == 1:
                    blob = await server.challenge_auth('')
                    if blob is MISSING:
                        return AuthResult(success=False, handled=True)
                else:
                    try:
                        blob = base64.b64decode(args[1], validate=True)
                    except Exception:
                        await server.push("501 5.5.2 Can't decode base64")
                        return AuthResult(success=False, handled=True)
                login = token = None
                for part in blob.split(b'\x01'):
                    if part.startswith(b'user='):
                        login = part[5:].decode('utf-8', 'replace')
                    elif part.lower().startswith(b'auth=bearer '):
                        token = part[12:].decode('utf-8', 'replace')
                if login in tokens and token is not None and hmac.compare_digest(tokens[login].encode(), token.encode()):
                    return AuthResult(success=True, auth_data=Identity(login, 'XOAUTH2'))
                # As Google does: a JSON error as a challenge, then 535 after the client's empty reply.
                error = json.dumps({'status': '401', 'schemes': 'bearer', 'scope': 'https://mail.example.org/'})
                await server.push('334 ' + base64.b64encode(error.encode()).decode())
                await server._reader.readline()
                return AuthResult(success=False, handled=False, message='535 5.7.8 Username and Password not accepted')

        context = None
        kwargs = {}
        if tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(tls['cert'], tls['key'])
            if tls.get('client_ca'):
                context.load_verify_locations(tls['client_ca'])
                context.verify_mode = ssl.CERT_OPTIONAL
            if tls['mode'] == 'implicit':
                kwargs['ssl_context'] = context
            else:
                kwargs['tls_context'] = context
                kwargs['require_starttls'] = tls['mode'] == 'starttls-required'
        if auth:
            kwargs['authenticator'] = authenticator
            # Implicit TLS: aiosmtpd's auth_require_tls only knows STARTTLS, but every
            # connection is encrypted already.
            kwargs['auth_require_tls'] = auth['require_tls'] and not (tls and tls['mode'] == 'implicit')
            kwargs['auth_required'] = auth['required']
            offered = set(auth['mechanisms'])
            kwargs['auth_exclude_mechanism'] = [m for m in ('PLAIN', 'LOGIN', 'CRAM-MD5', 'XOAUTH2') if m not in offered]

        for attempt in range(20):
            probe = socket.socket()
            probe.bind(('127.0.0.1', 0))
            port = probe.getsockname()[1]
            probe.close()
            controller = Controller(Handler(), hostname='127.0.0.1', port=port, **kwargs)
            try:
                controller.start()
                break
            except OSError:
                if attempt == 19:
                    raise
        with open(os.path.join(directory, 'port.tmp'), 'w') as f:
            f.write(str(port))
        os.rename(os.path.join(directory, 'port.tmp'), os.path.join(directory, 'port'))
        # Stop when the test process goes away (its end of our stdin closes).
        sys.stdin.read()
        controller.stop()
        """#
}
