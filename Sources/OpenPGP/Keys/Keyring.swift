import Foundation

/// A set of keys: certificates and the secret keys among them, one entry per primary key.
///
/// Load it from a GnuPG home or keyring directory (`pubring.kbx`, `pubring.gpg`,
/// `secring.gpg`), from a single keyring file (binary, armored or keybox; public or secret),
/// or from bytes. Copies of the same key — its public part from one file and its secret part
/// from another, or the same certificate twice — are merged by fingerprint: signatures, user
/// IDs and subkeys are united and the result is validated again.
///
/// Pick keys with a ``KeySelector`` (user ID, e-mail address, fingerprint or key ID), as the
/// PSMTP `Keyring`, `UserId`, `Id` and `Fingerprint` key fields do.
public struct Keyring: Sendable {
    /// One primary key: its merged packets and the certificate validated from them.
    struct Entry: Sendable {
        var block: KeyBlock
        var certificate: Certificate
    }

    private var entries: [Entry] = []
    private var index: [Fingerprint: Int] = [:]

    /// Keys that were skipped while loading because this engine cannot read them (an
    /// unsupported key version or algorithm), each as the error it raised.
    public private(set) var skippedKeys: [OpenPGPError] = []

    /// The files looked for in a keyring directory, in the order they are read.
    public static let directoryFiles = ["pubring.kbx", "pubring.gpg", "secring.gpg"]

    /// An empty keyring.
    public init() {}

    /// A keyring holding these keys (merged where they share a primary key).
    public init(certificates: [Certificate] = [], secretKeys: [SecretKey] = []) throws {
        for certificate in certificates { try insert(certificate) }
        for secretKey in secretKeys { try insert(secretKey) }
    }

    /// Reads a keyring from bytes: binary or armored keys (public or secret, concatenated), or
    /// a GnuPG keybox.
    public init(bytes: [UInt8]) throws {
        try load(bytes: bytes)
    }

    /// Reads a keyring from a directory (`pubring.kbx`, `pubring.gpg` and `secring.gpg`,
    /// whichever exist; at least one must) or from a single file of any format
    /// ``init(bytes:)`` reads.
    public init(contentsOf url: URL) throws {
        try load(contentsOf: url)
    }

    /// Reads a keyring from the directory or file at `path`; see ``init(contentsOf:)``.
    public init(path: String) throws {
        try load(contentsOf: URL(fileURLWithPath: path))
    }

    // MARK: Contents

    /// Every certificate, in the order the keys were first seen. Secret keys count too, by
    /// their public part.
    public var certificates: [Certificate] { entries.map(\.certificate) }

    /// The keys whose secret part (of the primary key or any subkey) is present.
    public var secretKeys: [SecretKey] { entries.compactMap(Self.secretKey(of:)) }

    /// The number of distinct primary keys.
    public var count: Int { entries.count }

    /// Whether the keyring holds no key.
    public var isEmpty: Bool { entries.isEmpty }

    /// The certificate whose primary key has this fingerprint.
    public func certificate(with fingerprint: Fingerprint) -> Certificate? {
        index[fingerprint].map { entries[$0].certificate }
    }

    /// The secret key whose primary key has this fingerprint, if its secret part is here.
    public func secretKey(with fingerprint: Fingerprint) -> SecretKey? {
        index[fingerprint].flatMap { Self.secretKey(of: entries[$0]) }
    }

    // MARK: Adding keys

    /// Adds a certificate, merging it with a key of the same fingerprint already present.
    public mutating func insert(_ certificate: Certificate) throws {
        try insert(KeyBlock(certificate: certificate, secrets: [:]), validated: certificate)
    }

    /// Adds a secret key, merging it with a key of the same fingerprint already present.
    public mutating func insert(_ secretKey: SecretKey) throws {
        try insert(
            KeyBlock(certificate: secretKey.certificate, secrets: secretKey.secrets), validated: secretKey.certificate)
    }

    /// Adds every key of `other`.
    public mutating func formUnion(_ other: Keyring) throws {
        for entry in other.entries { try insert(entry.block, validated: entry.certificate) }
        skippedKeys += other.skippedKeys
    }

    /// Adds the keys in `bytes` (any format ``init(bytes:)`` reads).
    public mutating func load(bytes: [UInt8]) throws {
        var blocks: [KeyBlock] = []
        if Keybox.isKeybox(bytes) {
            for keyBlock in try Keybox.keyBlocks(bytes) {
                let parsed = try KeyBlock.parseEach(PacketFraming.parse(keyBlock.bytes, baseOffset: keyBlock.offset))
                blocks += parsed.blocks
                skippedKeys += parsed.skipped
            }
        } else {
            let parsed = try KeyBlock.parseEach(PacketFraming.parse(Armor.decodeIfArmored(bytes)))
            blocks = parsed.blocks
            skippedKeys += parsed.skipped
        }
        // Merge copies first so that each key is validated once; one merger per key keeps
        // its lookups across copies, so many copies cost no more than their size.
        var mergers: [KeyBlockMerger] = []
        var positions: [Fingerprint: Int] = [:]
        for block in blocks {
            let fingerprint = block.fingerprint
            if let position = positions[fingerprint] {
                mergers[position].add(block)
            } else {
                positions[fingerprint] = mergers.count
                mergers.append(KeyBlockMerger(block))
            }
        }
        for merger in mergers { try insert(merger.block, validated: nil) }
    }

    /// Adds the keys of a keyring directory or file (see ``init(contentsOf:)``).
    public mutating func load(contentsOf url: URL) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw OpenPGPError(.fileReadFailed, "no keyring file or directory at \(url.path)")
        }
        guard isDirectory.boolValue else {
            try load(bytes: try Self.read(url))
            return
        }
        let files = Self.directoryFiles.map { url.appendingPathComponent($0) }.filter {
            FileManager.default.fileExists(atPath: $0.path)
        }
        guard !files.isEmpty else {
            throw OpenPGPError(
                .fileReadFailed,
                "the keyring directory \(url.path) holds none of \(Self.directoryFiles.joined(separator: ", "))")
        }
        for file in files {
            do {
                try load(bytes: try Self.read(file))
            } catch var error as OpenPGPError {
                error.message += " (in \(file.lastPathComponent))"
                throw error
            }
        }
    }

    // MARK: Internals

    private mutating func insert(_ block: KeyBlock, validated: Certificate?) throws {
        let fingerprint = block.fingerprint
        guard let position = index[fingerprint] else {
            index[fingerprint] = entries.count
            entries.append(Entry(block: block, certificate: try validated ?? Certificate(block: block)))
            return
        }
        var merged = entries[position].block
        let before = merged.packetCount
        merged.merge(block)
        // Nothing new but perhaps a secret part: the validated certificate stays as it is.
        let certificate = merged.packetCount == before ? entries[position].certificate : try Certificate(block: merged)
        entries[position] = Entry(block: merged, certificate: certificate)
    }

    private static func secretKey(of entry: Entry) -> SecretKey? {
        let secrets = entry.block.secrets
        return secrets.isEmpty ? nil : SecretKey(certificate: entry.certificate, secrets: secrets)
    }

    private static func read(_ url: URL) throws -> [UInt8] {
        do {
            return Array(try Data(contentsOf: url))
        } catch {
            throw OpenPGPError(
                .fileReadFailed, "cannot read the keyring file \(url.path): \(error.localizedDescription)")
        }
    }
}
