/// Checks the self-signatures of a key block and builds the validated ``Certificate``.
extension Certificate {
    init(block: KeyBlock) throws {
        let primary = block.primary.publicKey
        // Computed once, not for every signature: each is a hash over the whole key.
        let primaryFingerprint = primary.fingerprint
        let primaryPrefix = primary.hashPrefix

        // User IDs: newest valid self-certification, and whether a valid revocation follows it.
        var userIDs: [UserID] = block.userIDs.map { entry in
            let isSelfIssued = { (signature: SignaturePacket) in Self.isIssued(signature, by: primaryFingerprint) }
            let validCertifications = entry.signatures.filter {
                $0.type.isCertification && isSelfIssued($0)
                    && Self.check($0, by: primary) {
                        $0.update(primaryPrefix); $0.update(Self.userIDHashPrefix(entry.raw))
                    }
            }
            let newest = Self.newest(validCertifications)
            let revocation = entry.signatures.first {
                $0.type == .certificationRevocation && isSelfIssued($0)
                    && ($0.creationTime ?? 0) >= (newest?.creationTime ?? 0)
                    && Self.check($0, by: primary) {
                        $0.update(primaryPrefix); $0.update(Self.userIDHashPrefix(entry.raw))
                    }
            }
            return UserID(
                value: String(decoding: entry.raw, as: UTF8.self), raw: entry.raw, signatures: entry.signatures,
                selfSignature: newest, revocation: revocation)
        }
        // Primary user ID first: marked primary, then newest; unbound ones last.
        let order = userIDs.enumerated().sorted { a, b in
            let ka = (a.element.isBound && !a.element.isRevoked ? 0 : 1, a.element.isMarkedPrimary ? 0 : 1)
            let kb = (b.element.isBound && !b.element.isRevoked ? 0 : 1, b.element.isMarkedPrimary ? 0 : 1)
            if ka != kb { return ka < kb }
            if ka.1 == 0 {
                return (a.element.selfSignature?.creationTime ?? 0) > (b.element.selfSignature?.creationTime ?? 0)
            }
            return a.offset < b.offset
        }
        userIDs = order.map(\.element)

        // Primary key: direct-key signatures and revocations.
        let directSignatures = block.primary.signatures.filter {
            $0.type == .directKey && Self.isIssued($0, by: primaryFingerprint)
                && Self.check($0, by: primary) { $0.update(primaryPrefix) }
        }
        let primaryRevocation = block.primary.signatures.first {
            $0.type == .keyRevocation && Self.isIssued($0, by: primaryFingerprint)
                && Self.check($0, by: primary) { $0.update(primaryPrefix) }
        }
        let directKeySignature = Self.newest(directSignatures)
        let primarySelfSignature =
            userIDs.first(where: { $0.isBound && !$0.isRevoked })?.selfSignature ?? directKeySignature
        primaryKey = KeyComponent(
            packet: primary, signatures: block.primary.signatures, selfSignature: primarySelfSignature,
            directKeySignature: directKeySignature, revocation: primaryRevocation, isPrimary: true)
        self.userIDs = userIDs

        // Subkeys: newest valid binding (with a valid back-signature for signing subkeys).
        subkeys = block.subkeys.map { entry in
            let subkey = entry.publicKey
            let subkeyPrefix = subkey.hashPrefix
            let feedBinding = { (context: HashContext) in
                context.update(primaryPrefix)
                context.update(subkeyPrefix)
            }
            let bindings = entry.signatures.filter { signature in
                guard signature.type == .subkeyBinding, Self.isIssued(signature, by: primaryFingerprint),
                    Self.check(signature, by: primary, feed: feedBinding)
                else { return false }
                guard signature.keyFlags?.contains(.sign) == true else { return true }
                return signature.embeddedSignatures.contains {
                    $0.type == .primaryKeyBinding && Self.check($0, by: subkey, feed: feedBinding)
                }
            }
            let revocation = entry.signatures.first {
                $0.type == .subkeyRevocation && Self.isIssued($0, by: primaryFingerprint)
                    && Self.check($0, by: primary, feed: feedBinding)
            }
            return KeyComponent(
                packet: subkey, signatures: entry.signatures, selfSignature: Self.newest(bindings),
                directKeySignature: nil,
                revocation: revocation, isPrimary: false)
        }
    }

    /// `0xB4 || length || user ID`, as hashed in certifications.
    static func userIDHashPrefix(_ raw: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0xB4]
        out.appendUInt32(UInt32(raw.count))
        return out + raw
    }

    private static func isIssued(_ signature: SignaturePacket, by key: Fingerprint) -> Bool {
        if let fingerprint = signature.issuerFingerprint { return fingerprint == key }
        if let keyID = signature.issuerKeyID { return keyID == key.keyID }
        return true  // no issuer given: the cryptographic check decides
    }

    /// Whether `signature` is a valid signature by `key` over what `feed` hashes, made after
    /// the key was created. Signatures this engine cannot check count as invalid.
    private static func check(
        _ signature: SignaturePacket, by key: PublicKeyPacket, feed: (HashContext) -> Void
    ) -> Bool {
        guard let created = signature.creationTime, created >= key.creationTime else { return false }
        return (try? signature.verify(by: key, feed: feed)) ?? false
    }

    private static func newest(_ signatures: [SignaturePacket]) -> SignaturePacket? {
        signatures.max { ($0.creationTime ?? 0) < ($1.creationTime ?? 0) }
    }
}
