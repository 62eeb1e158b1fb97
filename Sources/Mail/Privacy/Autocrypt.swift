import Foundation
import OpenPGP

/// The sender's encryption preference an Autocrypt header announces (Autocrypt Level 1 §2.1).
public enum AutocryptPreference: String, Sendable, Hashable {
    /// No `prefer-encrypt` attribute: the sender has no preference.
    case noPreference
    /// `prefer-encrypt=mutual`: the sender wants encryption when the recipient wants it too.
    case mutual
}

/// Autocrypt Level 1 (https://autocrypt.org/level1.html): key discovery through headers.
extension MailMessage {
    /// A copy with an `Autocrypt` header announcing `certificate` for the From address,
    /// replacing any earlier one: `addr=<from addr-spec>; [prefer-encrypt=mutual;]
    /// keydata=<base64>`. The key data is the minimal certificate (`Certificate.minimal`):
    /// primary key, the user ID of the From address, one encryption subkey. Its base64 is
    /// broken by spaces so the field folds into lines of at most 78 octets (whitespace in
    /// keydata is ignored, §2.1).
    ///
    /// Throws `noSuitableKey` when no valid user ID of `certificate` has the From address,
    /// and `keyNotUsable` when it has no key that can encrypt now.
    public func withAutocrypt(
        _ certificate: Certificate, preferEncrypt: AutocryptPreference = .noPreference
    ) throws -> MailMessage {
        var attributes = ["addr=\(from.addrSpec)"]
        if preferEncrypt == .mutual { attributes.append("prefer-encrypt=mutual") }
        let field = try Self.autocryptField(
            name: "Autocrypt", certificate: certificate, address: from.addrSpec, attributes: attributes)
        var copy = self
        copy.extraHeaders.removeAll(named: "Autocrypt")
        copy.extraHeaders.append(field)
        return copy
    }

    /// One `Autocrypt-Gossip` field per certificate (Autocrypt Level 1 §2.7), each naming the
    /// To or Cc address of one of its user IDs. Throws `invalidParameter` for a certificate
    /// that belongs to no To or Cc recipient.
    func autocryptGossipFields(for certificates: [Certificate]) throws -> [HeaderField] {
        try certificates.map { certificate in
            let recipient = (to + cc).first { address in
                certificate.userIDs.contains { $0.isBound && !$0.isRevoked && $0.matches(address.addrSpec) }
            }
            guard let recipient else {
                throw MailError(
                    .invalidParameter,
                    "Autocrypt gossip certificate \(certificate.fingerprint) belongs to no To or Cc recipient")
            }
            return try Self.autocryptField(
                name: "Autocrypt-Gossip", certificate: certificate, address: recipient.addrSpec,
                attributes: ["addr=\(recipient.addrSpec)"])
        }
    }

    private static func autocryptField(
        name: String, certificate: Certificate, address: String, attributes: [String]
    ) throws -> HeaderField {
        let keyData = Base64.encodeUnwrapped(try certificate.minimal(forAddress: address).serialized())
        // Pieces that fold into lines of at most 77 octets: " keydata=" + 68, then " " + 76.
        let starts = [0] + Array(stride(from: 68, to: keyData.count, by: 76))
        let lines = starts.map {
            String(decoding: keyData[$0..<min($0 == 0 ? 68 : $0 + 76, keyData.count)], as: UTF8.self)
        }
        let value = (attributes + ["keydata=" + lines.joined(separator: " ")]).joined(separator: "; ")
        return try HeaderField(name: name, structuredValue: value)
    }
}
