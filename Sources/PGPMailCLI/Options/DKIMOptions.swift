import ArgumentParser
import Foundation
import PGPMail

/// `--dkim-key`, `--dkim-domain` and `--dkim-selector`: DKIM-sign the final message bytes.
struct DKIMOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "DKIM-sign with this PEM private key (RSA, or Ed25519 PKCS#8); needs --dkim-domain and --dkim-selector.",
            valueName: "file"))
    var dkimKey: String?

    @Option(help: ArgumentHelp("The DKIM signing domain (d=).", valueName: "domain"))
    var dkimDomain: String?

    @Option(help: ArgumentHelp("The DKIM selector (s=) the public key is published under.", valueName: "name"))
    var dkimSelector: String?

    func validate() throws {
        let given = [dkimKey, dkimDomain, dkimSelector].filter { $0 != nil }.count
        guard given == 0 || given == 3 else {
            throw ValidationError("--dkim-key, --dkim-domain and --dkim-selector go together")
        }
    }

    /// The signer the options describe, nil without them.
    func signer() throws -> DKIMSigner? {
        guard let dkimKey, let dkimDomain, let dkimSelector else { return nil }
        let pem = try SendFiles.text(of: dkimKey, what: "DKIM key")
        let key: DKIMKey
        if let ed25519 = try? DKIMKey.ed25519(pemRepresentation: pem) {
            key = ed25519
        } else {
            key = try DKIMKey.rsa(pemRepresentation: pem)
        }
        return try DKIMSigner(domain: dkimDomain, selector: dkimSelector, key: key)
    }
}
