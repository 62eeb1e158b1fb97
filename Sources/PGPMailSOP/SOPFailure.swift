import OpenPGP

/// A SOP failure: the exit code the specification assigns, and a message for stderr.
struct SOPFailure: Error, CustomStringConvertible {
    /// Exit codes of draft-dkg-openpgp-stateless-cli.
    enum Code: Int32 {
        case noSignature = 3
        case unsupportedAsymmetricAlgorithm = 13
        case certificateCannotEncrypt = 17
        case missingArgument = 19
        case incompleteVerification = 23
        case cannotDecrypt = 29
        case passwordNotHumanReadable = 31
        case unsupportedOption = 37
        case badData = 41
        case expectedText = 53
        case outputExists = 59
        case missingInput = 61
        case keyIsProtected = 67
        case unsupportedSubcommand = 69
        case unsupportedSpecialPrefix = 71
        case ambiguousInput = 73
        case keyCannotSign = 79
        case incompatibleOptions = 83
        case unsupportedProfile = 89
    }

    let code: Code
    let message: String

    init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    var description: String { message }

    /// The SOP failure for an engine error met while doing `operation`.
    static func from(_ error: Error, during operation: Operation) -> SOPFailure {
        if let failure = error as? SOPFailure { return failure }
        guard let error = error as? OpenPGPError else { return SOPFailure(.badData, "\(error)") }
        switch error.code {
        case .passphraseRequired, .wrongPassphrase:
            return SOPFailure(.keyIsProtected, error.description)
        case .unsupportedAlgorithm:
            return SOPFailure(.unsupportedAsymmetricAlgorithm, error.description)
        case .keyNotUsable, .noSuitableKey:
            switch operation {
            case .encrypt: return SOPFailure(.certificateCannotEncrypt, error.description)
            case .sign: return SOPFailure(.keyCannotSign, error.description)
            case .decrypt: return SOPFailure(.cannotDecrypt, error.description)
            case .other: return SOPFailure(.badData, error.description)
            }
        case .decryptionFailed, .integrityCheckFailed, .insecureMessage:
            return SOPFailure(operation == .decrypt ? .cannotDecrypt : .badData, error.description)
        default:
            return SOPFailure(.badData, error.description)
        }
    }

    enum Operation {
        case encrypt, sign, decrypt, other
    }
}
