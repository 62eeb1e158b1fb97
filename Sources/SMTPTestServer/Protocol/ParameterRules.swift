/// Which ESMTP parameters of `MAIL FROM` and `RCPT TO` the server accepts: those of an
/// advertised extension, with a well-formed value, and only after `EHLO`.
enum ParameterRules {
    enum Verb { case mail, rcpt }

    private struct Rule {
        /// The `EHLO` keyword that must be advertised.
        var keyword: String
        /// Whether the value is valid; `nil` is a parameter without `=`.
        var accepts: @Sendable (String?) -> Bool
    }

    private static let needsValue: @Sendable (String?) -> Bool = { $0 != nil }
    private static let needsNoValue: @Sendable (String?) -> Bool = { $0 == nil }

    private static let mailRules: [String: Rule] = [
        "SIZE": Rule(keyword: "SIZE") { value in value.map { !$0.isEmpty && $0.allSatisfy(\.isASCIIDigit) } ?? false },
        "BODY": Rule(keyword: "8BITMIME") { ["7BIT", "8BITMIME"].contains($0?.uppercased()) },
        "SMTPUTF8": Rule(keyword: "SMTPUTF8", accepts: needsNoValue),
        "RET": Rule(keyword: "DSN") { ["FULL", "HDRS"].contains($0?.uppercased()) },
        "ENVID": Rule(keyword: "DSN", accepts: needsValue),
        "AUTH": Rule(keyword: "AUTH", accepts: needsValue),
        "REQUIRETLS": Rule(keyword: "REQUIRETLS", accepts: needsNoValue),
        "MT-PRIORITY": Rule(keyword: "MT-PRIORITY", accepts: needsValue),
    ]

    private static let rcptRules: [String: Rule] = [
        "NOTIFY": Rule(keyword: "DSN") { value in
            guard let items = value?.uppercased().split(separator: ",", omittingEmptySubsequences: false)
            else { return false }
            if items == ["NEVER"] { return true }
            return items.allSatisfy { ["SUCCESS", "FAILURE", "DELAY"].contains($0) }
                && Set(items).count == items.count
        },
        "ORCPT": Rule(keyword: "DSN") { $0?.contains(";") ?? false },
    ]

    /// The reply rejecting `parameters`, or `nil` when all are acceptable.
    static func check(
        _ parameters: [SMTPTestServer.ESMTPParameter], of verb: Verb,
        capabilities: Capabilities, usedEHLO: Bool
    ) -> Rejection? {
        for parameter in parameters {
            let name = parameter.keyword.uppercased()
            guard usedEHLO else {
                return Rejection(
                    code: 555, enhancedCode: "5.5.4", text: "ESMTP parameters need EHLO: \(parameter.keyword)")
            }
            guard let rule = (verb == .mail ? mailRules : rcptRules)[name], capabilities.offers(rule.keyword)
            else {
                return Rejection(code: 555, enhancedCode: "5.5.4", text: "Unsupported parameter: \(parameter.keyword)")
            }
            guard rule.accepts(parameter.value) else {
                return Rejection(code: 501, enhancedCode: "5.5.4", text: "Invalid parameter: \(parameter)")
            }
        }
        return nil
    }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
