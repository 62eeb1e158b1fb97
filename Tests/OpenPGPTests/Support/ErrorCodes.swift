import OpenPGP

/// The `OpenPGPError` code `body` throws; nil when it returns. Any other error comes back as
/// a code starting with "unexpected", which no expectation matches.
func errorCode(of body: () throws -> Void) -> OpenPGPError.Code? {
    do {
        try body()
        return nil
    } catch let error as OpenPGPError {
        return error.code
    } catch {
        return OpenPGPError.Code(rawValue: "unexpected \(error)")
    }
}
