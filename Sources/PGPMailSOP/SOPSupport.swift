import Foundation
import OpenPGP

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Standard input and output as SOP uses them.
enum StandardIO {
    static func readInput() throws -> [UInt8] {
        try input.readToEnd()
    }

    static var input: ByteSource { FileByteSource(fileDescriptor: STDIN_FILENO) }

    static func write(_ bytes: [UInt8]) throws {
        let output = FileByteSink(fileDescriptor: STDOUT_FILENO)
        try bytes.withUnsafeBytes { try output.write($0) }
        try output.flush()
    }

    static func write(_ text: String) throws { try write(Array(text.utf8)) }
}

extension FileByteSink {
    /// Writes `bytes` and flushes: for the small side outputs (verifications, session keys).
    func writeAndFlush(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
        try flush()
    }

    /// Writes `text` as UTF-8 and flushes.
    func writeAndFlush(_ text: String) throws { try writeAndFlush(Array(text.utf8)) }
}

/// Keys and certificates named on the command line.
enum KeyArguments {
    /// Every secret key in the named files, unlocked with the first password that works.
    static func secretKeys(_ designators: [String], passwords: [String]) throws -> [SecretKey] {
        var keys: [SecretKey] = []
        for designator in designators {
            let found: [SecretKey]
            do {
                found = try SecretKey.readKeyring(try IndirectData.read(designator))
            } catch let failure as SOPFailure {
                throw failure
            } catch {
                throw SOPFailure(.badData, "\(designator) holds no readable secret key: \(error)")
            }
            guard !found.isEmpty else { throw SOPFailure(.badData, "\(designator) holds no secret key") }
            keys += found.map { key in
                guard key.isLocked else { return key }
                for password in passwords {
                    if let unlocked = try? key.unlocked(passphrase: password), !unlocked.isLocked { return unlocked }
                }
                return key
            }
        }
        return keys
    }

    /// Secret keys that must be usable now: a still-locked one is an error.
    static func unlockedSecretKeys(_ designators: [String], passwords: [String]) throws -> [SecretKey] {
        let keys = try secretKeys(designators, passwords: passwords)
        if let locked = keys.first(where: \.isLocked) {
            throw SOPFailure(.keyIsProtected, "key \(locked.fingerprint) is protected and no given password unlocks it")
        }
        return keys
    }

    /// Every certificate in the named files.
    static func certificates(_ designators: [String]) throws -> [Certificate] {
        var certificates: [Certificate] = []
        for designator in designators {
            do {
                let found = try Certificate.readKeyring(try IndirectData.read(designator))
                guard !found.isEmpty else { throw SOPFailure(.badData, "\(designator) holds no certificate") }
                certificates += found
            } catch let failure as SOPFailure {
                throw failure
            } catch {
                throw SOPFailure(.badData, "\(designator) holds no readable certificate: \(error)")
            }
        }
        return certificates
    }
}

/// Dates as SOP writes them: ISO 8601 in UTC, `now`, or `-` for the beginning or end of time.
enum SOPDate {
    static func parse(_ text: String?, default fallback: Date) throws -> Date {
        guard let text else { return fallback }
        switch text {
        case "now": return Date()
        case "-": return fallback == Date.distantPast ? .distantPast : .distantFuture
        default:
            let formatter = ISO8601DateFormatter()
            for options: ISO8601DateFormatter.Options in [
                [.withInternetDateTime], [.withInternetDateTime, .withFractionalSeconds], [.withFullDate],
            ] {
                formatter.formatOptions = options
                if let date = formatter.date(from: text) { return date }
            }
            throw SOPFailure(.unsupportedOption, "\(text) is not an ISO 8601 date")
        }
    }

    static func format(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }
}

/// The verification lines SOP prints: `DATE SIGNING-FPR PRIMARY-FPR mode:MODE`.
enum VerificationLines {
    static func good(
        _ verifications: [SignatureVerification], notBefore: Date, notAfter: Date
    ) -> [SignatureVerification] {
        verifications.filter { verification in
            guard verification.status == .good, let created = verification.creationDate else { return false }
            return created >= notBefore && created <= notAfter
        }
    }

    static func render(_ verifications: [SignatureVerification]) -> String {
        verifications.map { verification in
            let mode = verification.signatureType == .text ? "text" : "binary"
            return "\(SOPDate.format(verification.creationDate ?? Date(timeIntervalSince1970: 0))) "
                + "\(verification.signingKeyFingerprint?.hex ?? "") \(verification.signerFingerprint?.hex ?? "") mode:\(mode)\n"
        }.joined()
    }
}
