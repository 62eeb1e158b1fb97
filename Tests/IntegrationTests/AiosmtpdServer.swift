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
/// received after un-stuffing) and `message-N.json` (the envelope) in its directory.
final class AiosmtpdServer {
    /// Whether `python3` can import aiosmtpd here.
    static let isAvailable: Bool = {
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
    static let isRequired = ProcessInfo.processInfo.environment["CI"] != nil

    /// A message the server accepted.
    struct Message {
        var mailFrom: String
        var recipients: [String]
        var mailOptions: [String]
        var heloName: String
        var content: [UInt8]
    }

    let port: Int
    let directory: URL
    private let process: Process
    private let stdin: Pipe

    private init(port: Int, directory: URL, process: Process, stdin: Pipe) {
        self.port = port
        self.directory = directory
        self.process = process
        self.stdin = stdin
    }

    /// Starts a server and waits until it listens.
    static func start() async throws -> AiosmtpdServer {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("aiosmtpd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let script = directory.appendingPathComponent("server.py")
        try Self.script.write(to: script, atomically: true, encoding: .utf8)

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
        for _ in 0..<200 {
            if let text = try? String(contentsOf: portFile, encoding: .utf8), let port = Int(text) {
                return AiosmtpdServer(port: port, directory: directory, process: process, stdin: stdin)
            }
            guard process.isRunning else {
                break
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        server.stop()
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        throw ServerError(message: "aiosmtpd did not start: \(output)")
    }

    struct ServerError: Error, CustomStringConvertible {
        var message: String
        var description: String { self.message }
    }

    /// Kills the server process and removes its directory.
    ///
    /// SIGKILL, because a child started by Foundation's `Process` from a concurrency
    /// thread may inherit a signal mask that blocks SIGTERM.
    func stop() {
        if self.process.isRunning {
            _ = kill(self.process.processIdentifier, SIGKILL)
        }
        self.process.waitUntilExit()
        try? self.stdin.fileHandleForWriting.close()
        try? FileManager.default.removeItem(at: self.directory)
    }

    /// The messages received so far, in order.
    func messages() throws -> [Message] {
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
                    heloName: envelope.helo, content: Array(content)))
            index += 1
        }
    }

    private struct Envelope: Decodable {
        var mail_from: String
        var rcpt_tos: [String]
        var mail_options: [String]
        var helo: String
    }

    private static let script = #"""
        import json, os, signal, socket, sys
        from aiosmtpd.controller import Controller

        # The parent's blocked signals are inherited; make SIGTERM and SIGINT work again.
        signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])

        directory = sys.argv[1]

        class Handler:
            def __init__(self):
                self.count = 0

            async def handle_EHLO(self, server, session, envelope, hostname, responses):
                session.host_name = hostname
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
                meta = {'mail_from': envelope.mail_from, 'rcpt_tos': envelope.rcpt_tos,
                        'mail_options': envelope.mail_options, 'helo': session.host_name}
                with open(base + '.tmp', 'w') as f:
                    json.dump(meta, f)
                os.rename(base + '.tmp', base + '.json')
                return '250 2.0.0 OK queued as %d' % self.count

        probe = socket.socket()
        probe.bind(('127.0.0.1', 0))
        port = probe.getsockname()[1]
        probe.close()

        controller = Controller(Handler(), hostname='127.0.0.1', port=port)
        controller.start()
        with open(os.path.join(directory, 'port.tmp'), 'w') as f:
            f.write(str(port))
        os.rename(os.path.join(directory, 'port.tmp'), os.path.join(directory, 'port'))
        # Stop when the test process goes away (its end of our stdin closes).
        sys.stdin.read()
        controller.stop()
        """#
}
