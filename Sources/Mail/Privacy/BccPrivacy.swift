import OpenPGP

/// Encrypting for Bcc recipients without revealing them.
///
/// An OpenPGP message names the key of every reader in its session-key packets, so one
/// ciphertext for To, Cc and Bcc would show each To and Cc recipient which keys the Bcc
/// recipients hold. Instead every Bcc recipient gets a copy of their own.
extension MailMessage {
    /// The encrypted copies to send, with the envelope recipients of each: one copy for all
    /// To and Cc recipients, encrypted to their certificates, and one copy per Bcc recipient
    /// (not also in To or Cc), encrypted to that recipient's certificate only. Each copy also
    /// gets `additionalCertificates` (e.g. the sender's own, to keep a readable copy) and
    /// keeps the To and Cc headers; no copy has a Bcc header.
    ///
    /// A Bcc copy does not include the To and Cc keys: it goes to one mailbox, whose owner
    /// needs no other key to read it, and fewer keys reveal less should it be forwarded.
    ///
    /// - Parameters:
    ///   - recipientCertificates: the certificate of every To, Cc and Bcc recipient, keyed by
    ///     address (addr-specs compared case-insensitively, as user IDs are; display names
    ///     ignored).
    ///   - additionalCertificates: certificates that can read every copy.
    ///   - signer: signs each copy when given (`signedAndEncrypted`), else only encrypts.
    ///   - passphrases, options, headerProtection: as for `encrypted(for:…)`.
    /// - Throws: `invalidParameter` when a recipient has no certificate or the message has
    ///   no recipients; the errors of `encrypted(for:…)`.
    public func encryptedDeliveries(
        recipientCertificates: [MailAddress: Certificate], additionalCertificates: [Certificate] = [],
        signer: SecretKey? = nil, passphrases: [String] = [], options: MessageOptions = MessageOptions(),
        headerProtection: HeaderProtection = .default
    ) throws -> [MailDelivery] {
        var certificates: [String: Certificate] = [:]
        for (address, certificate) in recipientCertificates {
            certificates[address.addrSpec.lowercased()] = certificate
        }
        func certificate(for address: MailAddress) throws -> Certificate {
            guard let certificate = certificates[address.addrSpec.lowercased()] else {
                throw MailError(.invalidParameter, "no certificate for recipient \(address.addrSpec)")
            }
            return certificate
        }
        let visible = Self.unique(to + cc)
        let visibleSpecs = Set(visible.map(\.normalizedAddrSpec))
        let hidden = Self.unique(bcc).filter { !visibleSpecs.contains($0.normalizedAddrSpec) }
        guard !visible.isEmpty || !hidden.isEmpty else {
            throw MailError(.invalidParameter, "the message has no recipients")
        }

        let shown = withBcc([])
        func encryptedCopy(for readers: [Certificate]) throws -> MailMessage {
            var seen = Set<Fingerprint>()
            let keys = (readers + additionalCertificates).filter { seen.insert($0.fingerprint).inserted }
            if let signer {
                return try shown.signedAndEncrypted(
                    by: signer, for: keys, passphrases: passphrases, options: options,
                    headerProtection: headerProtection)
            }
            return try shown.encrypted(
                for: keys, passphrases: passphrases, options: options, headerProtection: headerProtection)
        }
        var deliveries: [MailDelivery] = []
        if !visible.isEmpty {
            deliveries.append(
                MailDelivery(message: try encryptedCopy(for: try visible.map(certificate(for:))), recipients: visible))
        }
        for address in hidden {
            deliveries.append(
                MailDelivery(message: try encryptedCopy(for: [try certificate(for: address)]), recipients: [address]))
        }
        return deliveries
    }

    /// Refuses to encrypt one ciphertext that would show To and Cc recipients the key of a
    /// Bcc recipient: throws `invalidParameter` when the message has To or Cc recipients and
    /// a Bcc recipient (other than the author or a To/Cc recipient) owns one of `recipients`.
    func checkBccPrivacy(of recipients: [Certificate]) throws {
        guard !bcc.isEmpty, !(to + cc).isEmpty else { return }
        let visible = Set((to + cc + [from]).map(\.normalizedAddrSpec))
        for address in bcc where !visible.contains(address.normalizedAddrSpec) {
            let owned = recipients.contains { certificate in
                certificate.userIDs.contains { $0.matches(address.addrSpec) }
            }
            if owned {
                throw MailError(
                    .invalidParameter,
                    "encrypting for Bcc recipient \(address.addrSpec) together with To/Cc would reveal their key; "
                        + "use encryptedDeliveries(recipientCertificates:) for one copy per Bcc recipient")
            }
        }
    }

    /// `addresses` without display names and without repeats (domains compared
    /// case-insensitively), in order.
    private static func unique(_ addresses: [MailAddress]) -> [MailAddress] {
        var seen = Set<String>()
        return addresses.filter { seen.insert($0.normalizedAddrSpec).inserted }.map(\.withoutDisplayName)
    }
}
