import ArgumentParser
import Foundation
import PGPMail

/// The values of `--tls`.
enum SendTLSOption: String, CaseIterable, ExpressibleByArgument {
    case none
    case starttls
    case implicit
    case auto

    /// The library's mode; `opportunistic` relaxes `starttls` only.
    func mode(opportunistic: Bool) -> SMTPTLSMode {
        switch self {
        case .none: .none
        case .starttls: .startTLS(required: !opportunistic)
        case .implicit: .implicit
        case .auto: .automatic
        }
    }

    /// The port used when `--port` is not given.
    var defaultPort: Int {
        self == .implicit ? 465 : 25
    }
}

/// The values of `--auth`.
enum SendAuthOption: String, CaseIterable, ExpressibleByArgument {
    case auto
    case plain
    case login
    case cramMD5 = "cram-md5"
    case xoauth2
    case oauthBearer = "oauthbearer"
    case scramSHA256 = "scram-sha-256"

    var authentication: SMTPAuthentication {
        switch self {
        case .auto: .automatic
        case .plain: .mechanism(.plain)
        case .login: .mechanism(.login)
        case .cramMD5: .mechanism(.cramMD5)
        case .xoauth2: .mechanism(.xoauth2)
        case .oauthBearer: .mechanism(.oauthBearer)
        case .scramSHA256: .mechanism(.scramSHA256)
        }
    }

    /// Whether the secret is a bearer token rather than a password.
    var usesBearerToken: Bool {
        self == .xoauth2 || self == .oauthBearer
    }
}

/// The value of `--dsn-notify`: `never`, or a comma-separated subset of `success`,
/// `failure` and `delay` (RFC 3461 section 4.1).
struct SendDSNNotify: ExpressibleByArgument, Hashable, Sendable {
    /// The notification conditions (empty: `NEVER`).
    let notify: SMTPDSNNotify

    init?(argument: String) {
        let words = argument.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces).uppercased() }
        guard !words.isEmpty, Set(words).count == words.count else { return nil }
        if words == ["NEVER"] {
            self.notify = .never
            return
        }
        let conditions = words.compactMap(SMTPDSNNotify.Condition.init(rawValue:))
        guard conditions.count == words.count else { return nil }
        self.notify = SMTPDSNNotify(Set(conditions))
    }

    static var defaultCompletionKind: CompletionKind {
        .list(["success", "failure", "delay", "success,failure", "success,failure,delay", "never"])
    }
}
