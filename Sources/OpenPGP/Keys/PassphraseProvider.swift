/// What a ``PassphraseProvider`` is asked for: the PSMTP `KeyPassphrase` event's parameters,
/// plus which try this is.
public struct PassphraseRequest: Sendable, Hashable {
    /// The key's primary user ID, if it has one.
    public let userID: String?
    /// The key ID of the key (primary key or subkey) whose secret part is protected.
    public let keyID: KeyID
    /// The fingerprint of that key.
    public let fingerprint: Fingerprint
    /// The fingerprint of the certificate's primary key (the same as ``fingerprint`` when the
    /// primary key is asked for).
    public let primaryFingerprint: Fingerprint
    /// 1 for the first request for this key, 2 after one wrong passphrase, and so on.
    public let attempt: Int
    /// How many attempts are allowed for this key.
    public let maximumAttempts: Int

    public init(
        userID: String?, keyID: KeyID, fingerprint: Fingerprint, primaryFingerprint: Fingerprint, attempt: Int,
        maximumAttempts: Int
    ) {
        self.userID = userID
        self.keyID = keyID
        self.fingerprint = fingerprint
        self.primaryFingerprint = primaryFingerprint
        self.attempt = attempt
        self.maximumAttempts = maximumAttempts
    }
}

/// Supplies the passphrase of a protected secret key when it is needed — the Swift form of the
/// PSMTP `KeyPassphrase` event. Return nil to give up. The answer is copied into
/// ``SecureBytes`` at once and wiped after use; the provider should not keep it either.
public typealias PassphraseProvider = @Sendable (PassphraseRequest) async throws -> String?

extension SecretKey {
    /// A copy with every protected secret part decrypted, asking `provider` for passphrases.
    ///
    /// The primary key is asked for first, then each subkey still locked; a passphrase that
    /// works is tried on the remaining parts before asking again, so a key whose parts share one
    /// passphrase is asked once. After a wrong passphrase the provider is asked again, up to
    /// `maximumAttempts` times per part. Parts this engine cannot decode (an unsupported
    /// algorithm) stay locked as long as at least one part unlocks.
    ///
    /// - Throws: `passphraseRequired` if the provider returns nil at its first request,
    ///   `wrongPassphrase` if it returns nil after a wrong passphrase or every attempt was
    ///   wrong, `invalidArgument` if `maximumAttempts` is below 1, and whatever the provider
    ///   throws (including `CancellationError`).
    public func unlocked(maximumAttempts: Int = 3, using provider: PassphraseProvider) async throws -> SecretKey {
        guard maximumAttempts >= 1 else {
            throw OpenPGPError(.invalidArgument, "at least one passphrase attempt must be allowed")
        }
        var secrets = self.secrets
        var pending = certificate.components.filter { component in
            secrets[component.fingerprint].map { $0.isLocked && $0.hasSecretMaterial } ?? false
        }
        var unlockedAny = false
        var firstFailure: Error?

        while let component = pending.first {
            var attempt = 1
            while true {
                try Task.checkCancellation()
                let request = PassphraseRequest(
                    userID: certificate.primaryUserID?.value ?? certificate.userIDs.first?.value,
                    keyID: component.keyID,
                    fingerprint: component.fingerprint, primaryFingerprint: fingerprint, attempt: attempt,
                    maximumAttempts: maximumAttempts)
                guard let answer = try await provider(request) else {
                    throw attempt == 1
                        ? OpenPGPError(.passphraseRequired, "no passphrase was given for key \(component.fingerprint)")
                        : OpenPGPError(.wrongPassphrase, "the passphrase for key \(component.fingerprint) is wrong")
                }
                let passphrase = SecureBytes(answer.utf8)
                let outcome = Self.tryUnlock(component, with: passphrase, in: &secrets)
                if case .wrongPassphrase = outcome {
                    attempt += 1
                    guard attempt <= maximumAttempts else {
                        throw OpenPGPError(
                            .wrongPassphrase,
                            "the passphrase for key \(component.fingerprint) was wrong \(maximumAttempts) time(s)")
                    }
                    continue
                }
                pending.removeFirst()
                if case .failed(let error) = outcome {
                    firstFailure = firstFailure ?? error
                } else {
                    unlockedAny = true
                }
                // The same passphrase often protects the other parts too.
                var stillLocked: [KeyComponent] = []
                for other in pending {
                    switch Self.tryUnlock(other, with: passphrase, in: &secrets) {
                    case .unlocked: unlockedAny = true
                    case .wrongPassphrase: stillLocked.append(other)
                    case .failed(let error): firstFailure = firstFailure ?? error
                    }
                }
                pending = stillLocked
                break
            }
        }
        if !unlockedAny, let firstFailure { throw firstFailure }
        return SecretKey(certificate: certificate, secrets: secrets)
    }

    private enum UnlockOutcome {
        case unlocked
        case wrongPassphrase
        case failed(Error)
    }

    private static func tryUnlock(
        _ component: KeyComponent, with passphrase: SecureBytes, in secrets: inout [Fingerprint: SecretKeyPacket]
    ) -> UnlockOutcome {
        guard let packet = secrets[component.fingerprint] else { return .unlocked }
        do {
            secrets[component.fingerprint] = try packet.unlocked(passphrase: passphrase)
            return .unlocked
        } catch let error as OpenPGPError where error.code == .wrongPassphrase {
            return .wrongPassphrase
        } catch {
            return .failed(error)
        }
    }
}
