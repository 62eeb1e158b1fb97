import OpenPGP
import Testing

/// The `OpenPGPError` code `body` throws; nil when it returns. Any other error is recorded
/// as a test issue (and gives nil), so no expectation can pass on it.
func errorCode(
    of body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation
) -> OpenPGPError.Code? {
    do {
        try body()
        return nil
    } catch let error as OpenPGPError {
        return error.code
    } catch {
        Issue.record("expected an OpenPGPError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}
