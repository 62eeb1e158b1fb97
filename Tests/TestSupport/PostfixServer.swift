import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A real Postfix `smtpd` for end-to-end tests, on 127.0.0.1 and a free port, with its own
/// configuration, queue, log and mail directories in a temporary directory: the machine's
/// /etc/postfix configuration and any system Postfix are left alone. Needs root (Postfix
/// drops to the `postfix` user), as the tests have here and in CI.
///
/// Every recipient in example.org, example.com and example.net is accepted and delivered by
/// Postfix's `virtual` agent to one maildir, which `deliveredMessages()` reads. With a
/// `TestPKI` it offers STARTTLS (and AUTH only after it) on `port`, and TLS from the first
/// byte on `implicitTLSPort`; with users, AUTH PLAIN, LOGIN and CRAM-MD5 through Cyrus SASL
/// against a private sasldb2.
public final class PostfixServer: Sendable {
    /// Whether Postfix and Cyrus SASL's tools are installed here.
    public static var isAvailable: Bool {
        ["postfix", "saslpasswd2"].allSatisfy { ExternalProcess.path($0) != nil }
    }

    /// Whether the tests must run (CI is set): then a missing Postfix fails them.
    public static var isRequired: Bool { ExternalProcess.isCI }

    /// The SASL realm the users are created in; Postfix reports logins as `user@realm`.
    public static let saslRealm = "pgpmail.test"

    /// A message Postfix delivered, one per recipient.
    public struct Message: Sendable {
        /// The whole delivered file, with the headers Postfix prepends (Return-Path,
        /// X-Original-To, Delivered-To, Received); LF line endings, as maildir stores them.
        public var content: [UInt8]
        /// The envelope sender (from Return-Path, without the angle brackets).
        public var mailFrom: String
        /// The envelope recipient this copy was delivered to (Delivered-To).
        public var recipient: String
        /// The SASL login that sent it, without `@saslRealm`, if the session authenticated.
        public var login: String?
        /// The TLS protocol version the message came in with (`TLSv1.3`…), if any.
        public var tlsVersion: String?
        /// Whether the message came in over TLS.
        public var tls: Bool { self.tlsVersion != nil }
        /// The message as the client sent it: `content` without the headers Postfix added.
        public var originalContent: [UInt8]
    }

    /// The port with STARTTLS (when started with a `TestPKI`) or plain SMTP.
    public let port: Int
    /// The port that speaks TLS from the first byte (port-465 style), when started with a `TestPKI`.
    public let implicitTLSPort: Int?
    /// The private directory: `etc` (main.cf, master.cf, sasl), `queue`, `data`, `mail`, `maillog`.
    public let directory: URL

    private init(port: Int, implicitTLSPort: Int?, directory: URL) {
        self.port = port
        self.implicitTLSPort = implicitTLSPort
        self.directory = directory
    }

    /// Starts a Postfix instance and waits until it answers.
    ///
    /// - Parameters:
    ///   - tls: The certificates; nil for plain SMTP only.
    ///   - saslUsers: Login → password for AUTH; empty for no AUTH.
    ///   - requireTLS: Refuse mail before STARTTLS on `port` (`smtpd_tls_security_level = encrypt`).
    ///   - requireAuth: Refuse recipients from unauthenticated clients.
    public static func start(
        tls: TestPKI?, saslUsers: [String: String] = [:], requireTLS: Bool = false, requireAuth: Bool = false
    ) async throws -> PostfixServer {
        guard let postfix = ExternalProcess.path("postfix") else {
            throw TestSupportError("postfix is not installed; .ci/run installs it")
        }
        guard let passwd = getpwnam("postfix") else {
            throw TestSupportError("there is no postfix user")
        }
        let uid = passwd.pointee.pw_uid
        let gid = passwd.pointee.pw_gid
        var lastError: Error = TestSupportError("Postfix did not start")
        // A port picked here may be taken before master binds it: try again with others.
        for _ in 0..<3 {
            let directory = FileManager.default.temporaryDirectory
                .appendingPathComponent("postfix-\(UUID().uuidString)")
            do {
                let port = try ExternalProcess.freePort()
                var implicitPort = tls == nil ? nil : try ExternalProcess.freePort()
                while implicitPort == port {
                    implicitPort = try ExternalProcess.freePort()
                }
                try Self.configure(
                    directory: directory, port: port, implicitTLSPort: implicitPort, tls: tls, saslUsers: saslUsers,
                    requireTLS: requireTLS, requireAuth: requireAuth, uid: uid, gid: gid)
                let server = PostfixServer(port: port, implicitTLSPort: implicitPort, directory: directory)
                try await ExternalProcess.runAsync(postfix, ["-c", server.configDirectory.path, "start"])
                do {
                    try await server.waitUntilListening()
                    return server
                } catch {
                    lastError = error
                    server.stop()
                }
            } catch {
                lastError = error
                try? FileManager.default.removeItem(at: directory)
            }
        }
        throw lastError
    }

    private var configDirectory: URL { self.directory.appendingPathComponent("etc") }
    private var mailDirectory: URL { self.directory.appendingPathComponent("mail/inbox") }

    /// Writes main.cf, master.cf and the SASL configuration, and makes the directories.
    private static func configure(
        directory: URL, port: Int, implicitTLSPort: Int?, tls: TestPKI?, saslUsers: [String: String],
        requireTLS: Bool, requireAuth: Bool, uid: uid_t, gid: gid_t
    ) throws {
        let fileManager = FileManager.default
        let path = directory.path
        for sub in ["", "etc", "etc/sasl", "queue", "data", "mail"] {
            try fileManager.createDirectory(
                at: directory.appendingPathComponent(sub), withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o755])
        }
        for sub in ["data", "mail"] {
            try fileManager.setAttributes(
                [.ownerAccountID: NSNumber(value: uid), .groupOwnerAccountID: NSNumber(value: gid)],
                ofItemAtPath: directory.appendingPathComponent(sub).path)
        }

        var main = """
            # A private test instance: see PostfixServer.swift.
            compatibility_level = 3.6
            queue_directory = \(path)/queue
            data_directory = \(path)/data
            mail_owner = postfix
            setgid_group = postdrop
            syslog_name = postfix-test-\(port)
            maillog_file = \(path)/maillog
            maillog_file_prefixes = \(path)
            myhostname = mail.pgpmail.test
            mydomain = pgpmail.test
            myorigin = $myhostname
            inet_interfaces = 127.0.0.1
            inet_protocols = ipv4
            mydestination =
            local_recipient_maps =
            alias_maps =
            alias_database =
            relay_domains =
            relayhost =
            mynetworks = 127.0.0.0/8
            biff = no
            append_dot_mydomain = no
            local_header_rewrite_clients =
            smtpd_banner = $myhostname ESMTP Postfix test instance
            virtual_mailbox_domains = example.org, example.com, example.net
            virtual_mailbox_base = \(path)/mail
            virtual_mailbox_maps = static:inbox/
            virtual_minimum_uid = 1
            virtual_uid_maps = static:\(uid)
            virtual_gid_maps = static:\(gid)

            """
        if let tls {
            // Copies, so that the instance does not depend on the PKI's directory.
            let certificate = directory.appendingPathComponent("etc/server.pem")
            let key = directory.appendingPathComponent("etc/server-key.pem")
            try tls.server.certificatePEM.write(to: certificate, atomically: true, encoding: .utf8)
            try tls.server.privateKeyPEM.write(to: key, atomically: true, encoding: .utf8)
            try fileManager.setAttributes([.posixPermissions: 0o600], ofItemAtPath: key.path)
            main += """
                smtpd_tls_cert_file = \(certificate.path)
                smtpd_tls_key_file = \(key.path)
                smtpd_tls_security_level = \(requireTLS ? "encrypt" : "may")
                smtpd_tls_auth_only = yes
                smtpd_tls_received_header = yes
                smtpd_tls_loglevel = 1

                """
        }
        if !saslUsers.isEmpty {
            let sasl = directory.appendingPathComponent("etc/sasl")
            let database = sasl.appendingPathComponent("sasldb2")
            try """
            pwcheck_method: auxprop
            auxprop_plugin: sasldb
            mech_list: PLAIN LOGIN CRAM-MD5
            sasldb_path: \(database.path)

            """.write(to: sasl.appendingPathComponent("smtpd.conf"), atomically: true, encoding: .utf8)
            for (login, password) in saslUsers.sorted(by: { $0.key < $1.key }) {
                try ExternalProcess.run(
                    "saslpasswd2", ["-p", "-c", "-f", database.path, "-u", Self.saslRealm, login],
                    input: Array(password.utf8))
            }
            _ = chown(database.path, uid, gid)
            _ = chmod(database.path, 0o640)
            // Debian's Postfix reads smtpd.conf from $config_directory/sasl whatever
            // cyrus_sasl_config_path says; both point there.
            main += """
                smtpd_sasl_auth_enable = yes
                smtpd_sasl_type = cyrus
                smtpd_sasl_path = smtpd
                cyrus_sasl_config_path = \(sasl.path)
                smtpd_sasl_local_domain = \(Self.saslRealm)
                smtpd_sasl_authenticated_header = yes

                """
        }
        if requireAuth {
            main += """
                smtpd_relay_restrictions = permit_sasl_authenticated, reject
                smtpd_recipient_restrictions = permit_sasl_authenticated, reject

                """
        } else {
            main +=
                "smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination\n"
        }
        try main.write(to: directory.appendingPathComponent("etc/main.cf"), atomically: true, encoding: .utf8)

        var master = """
            # service type private unpriv chroot wakeup maxproc command
            127.0.0.1:\(port) inet n - n - - smtpd

            """
        if let implicitTLSPort {
            master += """
                127.0.0.1:\(implicitTLSPort) inet n - n - - smtpd
                  -o smtpd_tls_wrappermode=yes
                  -o smtpd_tls_security_level=encrypt

                """
        }
        master += """
            pickup    unix  n - n 60 1 pickup
            cleanup   unix  n - n - 0 cleanup
            qmgr      unix  n - n 300 1 qmgr
            tlsmgr    unix  - - n 1000? 1 tlsmgr
            rewrite   unix  - - n - - trivial-rewrite
            bounce    unix  - - n - 0 bounce
            defer     unix  - - n - 0 bounce
            trace     unix  - - n - 0 bounce
            verify    unix  - - n - 1 verify
            flush     unix  n - n 1000? 0 flush
            proxymap  unix  - - n - - proxymap
            proxywrite unix - - n - 1 proxymap
            smtp      unix  - - n - - smtp
            relay     unix  - - n - - smtp
            showq     unix  n - n - - showq
            error     unix  - - n - - error
            retry     unix  - - n - - error
            discard   unix  - - n - - discard
            local     unix  - n n - - local
            virtual   unix  - n n - - virtual
            lmtp      unix  - - n - - lmtp
            anvil     unix  - - n - 1 anvil
            scache    unix  - - n - 1 scache
            postlog   unix-dgram n - n - 1 postlogd

            """
        try master.write(to: directory.appendingPathComponent("etc/master.cf"), atomically: true, encoding: .utf8)
    }

    /// Waits until `port` greets as this instance (not another program that took the port)
    /// and the implicit-TLS port accepts connections.
    private func waitUntilListening() async throws {
        for _ in 0..<200 {
            if Self.greeting(port: self.port).contains("Postfix test instance"),
                self.implicitTLSPort.map({ ExternalProcess.canConnect(port: $0) }) ?? true
            {
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestSupportError("Postfix did not listen on \(self.port): \(self.log())")
    }

    /// The first line a server on 127.0.0.1:`port` sends, or "" (within 2 seconds).
    private static func greeting(port: Int) -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return "" }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { return "" }
        var buffer = [UInt8](repeating: 0, count: 512)
        let count = read(fd, &buffer, buffer.count)
        guard count > 0 else { return "" }
        _ = write(fd, "QUIT\r\n", 6)
        return String(decoding: buffer[..<count], as: UTF8.self)
    }

    /// Stops the instance (`postfix stop`, then SIGKILL for anything left) and removes its
    /// directory.
    public func stop() {
        let config = self.configDirectory.path
        _ = try? ExternalProcess.run("postfix", ["-c", config, "stop"], expectSuccess: false)
        // master leaves its pid in the queue directory; make sure it and its children are gone.
        let pidFile = self.directory.appendingPathComponent("queue/pid/master.pid")
        if let text = try? String(contentsOf: pidFile, encoding: .utf8),
            let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines))
        {
            for _ in 0..<100 where kill(pid, 0) == 0 {
                usleep(50_000)
            }
            if kill(pid, 0) == 0 {
                _ = kill(-pid, SIGKILL)
                _ = kill(pid, SIGKILL)
            }
        }
        try? FileManager.default.removeItem(at: self.directory)
    }

    /// What Postfix logged so far.
    public func log() -> String {
        (try? String(contentsOf: self.directory.appendingPathComponent("maillog"), encoding: .utf8)) ?? ""
    }

    /// The messages delivered so far, oldest first, one per recipient. Delivery happens after
    /// the client's 250 to DATA: see `waitForDeliveries(_:timeout:)`.
    public func deliveredMessages() throws -> [Message] {
        let new = self.mailDirectory.appendingPathComponent("new")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: new.path)) ?? []
        // Maildir names start with the delivery time in seconds, then a unique part.
        let files = try names.map { name -> (Date, String, URL) in
            let url = new.appendingPathComponent(name)
            let date = try FileManager.default.attributesOfItem(atPath: url.path)[.modificationDate] as? Date
            return (date ?? .distantPast, name, url)
        }.sorted { ($0.0, $0.1) < ($1.0, $1.1) }
        return try files.map { try Self.parse(Array(Data(contentsOf: $0.2))) }
    }

    /// Waits until at least `count` messages are delivered and returns them all.
    public func waitForDeliveries(_ count: Int, timeout: Duration = .seconds(30)) async throws -> [Message] {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while true {
            let messages = try self.deliveredMessages()
            if messages.count >= count {
                return messages
            }
            if clock.now >= deadline {
                throw TestSupportError(
                    "Postfix delivered \(messages.count) of \(count) messages in \(timeout): \(self.log())")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Splits a delivered file into what Postfix added and what the client sent.
    private static func parse(_ bytes: [UInt8]) throws -> Message {
        let text = String(decoding: bytes, as: UTF8.self)
        // Postfix prepends Return-Path, X-Original-To, Delivered-To (virtual) and one
        // Received header (cleanup), each possibly folded.
        var headers: [(name: String, value: String)] = []
        var offset = bytes.startIndex
        while headers.count < 4, offset < bytes.endIndex {
            var end = offset
            while true {
                guard let newline = bytes[end...].firstIndex(of: UInt8(ascii: "\n")) else {
                    throw TestSupportError("a delivered message is cut short: \(text)")
                }
                end = newline + 1
                guard end < bytes.endIndex, bytes[end] == UInt8(ascii: " ") || bytes[end] == UInt8(ascii: "\t") else {
                    break
                }
            }
            let field = String(decoding: bytes[offset..<end], as: UTF8.self)
            guard let colon = field.firstIndex(of: ":") else { break }
            let name = String(field[..<colon])
            guard ["Return-Path", "X-Original-To", "Delivered-To", "Received"].contains(name) else { break }
            headers.append((name, String(field[field.index(after: colon)...])))
            offset = end
        }
        func value(_ name: String) -> String {
            headers.first { $0.name == name }?.value.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        }
        let received = headers.first { $0.name == "Received" }?.value ?? ""
        var login = Self.capture(received, after: "(Authenticated sender: ", upTo: ")")
        if let full = login, full.hasSuffix("@\(Self.saslRealm)") {
            login = String(full.dropLast(Self.saslRealm.count + 1))
        }
        let returnPath = value("Return-Path")
        return Message(
            content: bytes,
            mailFrom: returnPath.hasPrefix("<") && returnPath.hasSuffix(">")
                ? String(returnPath.dropFirst().dropLast()) : returnPath,
            recipient: value("Delivered-To"), login: login,
            tlsVersion: Self.capture(received, after: "(using ", upTo: " "),
            originalContent: Array(bytes[offset...]))
    }

    private static func capture(_ text: String, after prefix: String, upTo terminator: Character) -> String? {
        guard let start = text.range(of: prefix)?.upperBound else { return nil }
        guard let end = text[start...].firstIndex(of: terminator) else { return nil }
        return String(text[start..<end])
    }
}
