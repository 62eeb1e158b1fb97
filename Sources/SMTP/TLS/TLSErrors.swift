import NIOSSL

/// Turns what NIOSSL reports into the session's typed errors.
enum TLSErrors {
    /// The error for a failed handshake: ``SMTPError/Code/certificateRejected`` when the
    /// server's certificate was refused (with the verifier's reason when it recorded one),
    /// ``SMTPError/Code/tlsHandshakeFailed`` otherwise.
    static func smtpError(forHandshakeError error: any Error, observation: TLSObservation) -> SMTPError {
        if let refusal = observation.refusal {
            return SMTPError(
                .certificateRejected, "the server's certificate was refused: \(refusal)", underlyingError: error)
        }
        if let extra = error as? NIOSSLExtraError, extra == .failedToValidateHostname {
            return SMTPError(
                .certificateRejected, "the server's certificate does not name the host: \(error)",
                underlyingError: error)
        }
        let text = "\(error)"
        if text.contains("CERTIFICATE_VERIFY_FAILED") {
            return SMTPError(
                .certificateRejected, "the server's certificate could not be verified: \(text)", underlyingError: error)
        }
        return SMTPError(.tlsHandshakeFailed, "the TLS handshake failed: \(text)", underlyingError: error)
    }

    /// Whether `error` comes from the TLS layer.
    static func isTLSError(_ error: any Error) -> Bool {
        error is NIOSSLError || error is NIOSSLExtraError || error is BoringSSLError
    }
}
