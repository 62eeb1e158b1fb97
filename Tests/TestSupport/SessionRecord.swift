import SMTP

/// What one session did: the outcome, the protocol trail (`C: …`/`S: …`), the connection
/// statuses and the negotiated TLS.
public struct SessionRecord: Sendable {
    public var result: Result<SMTPDeliveryResult, SMTPError>
    public var trail: [String]
    public var statuses: [SMTPEvent.ConnectionStatus]
    public var tlsInfo: SMTPTLSInfo?

    /// The client's lines, without the `C: ` prefix.
    public var commands: [String] {
        self.trail.filter { $0.hasPrefix("C: ") }.map { String($0.dropFirst(3)) }
    }

    /// The delivery result, or the error thrown.
    public func delivery() throws -> SMTPDeliveryResult {
        try self.result.get()
    }

    /// Connects with `configuration`, sends `message` from alice@example.com to
    /// bob@example.org (unless `send` is false) and shuts down, recording everything the
    /// session reported.
    public static func run(
        _ configuration: SMTPSession.Configuration, message: [UInt8], send: Bool = true
    ) async -> SessionRecord {
        let session = SMTPSession(configuration: configuration)
        let events = session.events()
        let collector = Task {
            var lines: [String] = []
            var statuses: [SMTPEvent.ConnectionStatus] = []
            for await event in events {
                switch event {
                case .protocolTrail(let direction, let line):
                    lines.append((direction == .clientToServer ? "C: " : "S: ") + line)
                case .connectionStatus(let status, _):
                    statuses.append(status)
                default:
                    break
                }
            }
            return (lines, statuses)
        }
        var result: Result<SMTPDeliveryResult, SMTPError>
        var tlsInfo: SMTPTLSInfo?
        do {
            try await session.connect()
            tlsInfo = await session.tlsInfo
            if send {
                result = .success(
                    try await session.send(
                        envelope: SMTPEnvelope(from: "alice@example.com", to: ["bob@example.org"]), body: message))
            } else {
                result = .failure(SMTPError(.notConnected, "nothing sent"))
            }
        } catch {
            result = .failure(error)
        }
        await session.shutdown()
        let (trail, statuses) = await collector.value
        return SessionRecord(result: result, trail: trail, statuses: statuses, tlsInfo: tlsInfo)
    }
}
