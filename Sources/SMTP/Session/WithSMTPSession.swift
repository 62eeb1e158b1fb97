import Logging
import NIOCore
import NIOPosix

/// Connects an ``SMTPSession``, runs `body` with it and always ends the session afterwards
/// (`QUIT` and close, then the event streams finish), whether `body` returns or throws.
///
/// - Parameters:
///   - configuration: The server and protocol settings.
///   - eventLoopGroup: Where the connection's I/O runs.
///   - logger: Where the session logs.
///   - isolation: The caller's actor isolation, inherited by `body`.
///   - body: The work to do with the connected session.
/// - Returns: What `body` returns.
/// - Throws: The ``SMTPError`` of ``SMTPSession/connect()``, or what `body` throws.
@discardableResult
public func withSMTPSession<Value>(
    configuration: SMTPSession.Configuration,
    eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
    logger: Logger = .smtpNoOp,
    isolation: isolated (any Actor)? = #isolation,
    _ body: (SMTPSession) async throws -> Value
) async throws -> Value {
    let session = SMTPSession(configuration: configuration, eventLoopGroup: eventLoopGroup, logger: logger)
    do {
        try await session.connect()
        let value = try await body(session)
        await session.shutdown()
        return value
    } catch {
        await session.shutdown()
        throw error
    }
}
