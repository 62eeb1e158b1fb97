import Testing

@testable import SMTP

@Suite("Proxy environment and exceptions")
struct ProxyEnvironmentTests {
    private typealias Env = [String: String]

    private func proxy(_ env: Env, for host: String = "mx.example", port: Int? = nil) throws(SMTPError) -> SMTPProxy? {
        try SMTPProxy.fromEnvironment(env, for: host, port: port)
    }

    // MARK: - Variables

    @Test func nothingSetMeansNoProxy() throws {
        #expect(try proxy([:]) == nil)
        #expect(try proxy(["HTTP_PROXY": "http://web:3128", "https_proxy": "http://web:3128"]) == nil)
        #expect(try proxy(["SMTP_PROXY": "", "ALL_PROXY": "  "]) == nil)
    }

    @Test func precedence() throws {
        let all: [String: String] = [
            "SMTP_PROXY": "socks5://one:1", "smtp_proxy": "socks5://two:2",
            "ALL_PROXY": "socks5://three:3", "all_proxy": "socks5://four:4",
        ]
        #expect(try proxy(all)?.host == "one")
        #expect(try proxy(all.filter { $0.key != "SMTP_PROXY" })?.host == "two")
        #expect(try proxy(["ALL_PROXY": "socks5://three:3", "all_proxy": "socks5://four:4"])?.host == "three")
        #expect(try proxy(["all_proxy": "socks4a://four:4"]) == SMTPProxy(kind: .socks4a, host: "four", port: 4))
        // An empty variable is unset: the next one is used.
        #expect(
            try proxy(["SMTP_PROXY": "", "ALL_PROXY": "http://u:p@three"])
                == SMTPProxy(kind: .httpConnect, host: "three", username: "u", password: "p"))
        #expect(try proxy(["smtp_proxy": " socks5://[::1]:1080 "]) == SMTPProxy(kind: .socks5, host: "::1"))
    }

    @Test func unparsableURLThrowsWithoutTheValue() throws {
        for (name, value) in [
            ("SMTP_PROXY", "proxy.example:1080"), ("ALL_PROXY", "ftp://x"), ("all_proxy", "socks5://u:hunter2@h:99999"),
        ] {
            do {
                _ = try proxy([name: value, "NO_PROXY": "*"])
                Issue.record("\(name)=\(value) was accepted")
            } catch {
                #expect(error.code == .invalidInput)
                #expect(error.message.hasPrefix("\(name): invalid proxy URL"), "\(error.message)")
                #expect(!error.message.contains("hunter2"))
            }
        }
        // The first variable set is the one used, even when a later one is valid.
        #expect(throws: SMTPError.self) { try proxy(["SMTP_PROXY": "bad", "ALL_PROXY": "socks5://h"]) }
    }

    @Test func noProxyExcludesAndBecomesTheBypassList() throws {
        let base = ["SMTP_PROXY": "socks5://p"]
        let found = try proxy(base.merging(["NO_PROXY": "localhost, .internal.example,10.0.0.1 [::1]"]) { $1 })
        #expect(found?.bypassHosts == ["localhost", ".internal.example", "10.0.0.1", "[::1]"])
        #expect(try proxy(base.merging(["NO_PROXY": "mx.example"]) { $1 }) == nil)
        #expect(try proxy(base.merging(["no_proxy": "example"]) { $1 }) == nil)
        #expect(try proxy(base.merging(["no_proxy": "*"]) { $1 }, for: "anything") == nil)
        // NO_PROXY wins over no_proxy; an empty NO_PROXY falls back to no_proxy.
        #expect(try proxy(base.merging(["NO_PROXY": "other", "no_proxy": "mx.example"]) { $1 }) != nil)
        #expect(try proxy(base.merging(["NO_PROXY": "", "no_proxy": "mx.example"]) { $1 }) == nil)
        // Ports.
        let ported = base.merging(["NO_PROXY": "mx.example:25"]) { $1 }
        #expect(try proxy(ported, port: 25) == nil)
        #expect(try proxy(ported, port: 587) != nil)
        #expect(try proxy(ported) == nil)
    }

    // MARK: - Matching

    private func bypassed(_ host: String, _ entries: [String], port: Int? = nil) -> Bool {
        SMTPProxy(kind: .socks5, host: "p", bypassHosts: entries).isBypassed(for: host, port: port)
    }

    @Test func exactAndSuffixMatches() {
        #expect(bypassed("example.com", ["example.com"]))
        #expect(bypassed("mx.example.com", ["example.com"]))
        #expect(bypassed("a.b.example.com", ["example.com"]))
        #expect(!bypassed("badexample.com", ["example.com"]))
        #expect(!bypassed("example.com.evil", ["example.com"]))
        #expect(!bypassed("com", ["example.com"]))
        #expect(!bypassed("example.com", []))
    }

    @Test func leadingDotAndWildcard() {
        for entry in [".example.com", "*.example.com"] {
            #expect(bypassed("example.com", [entry]))
            #expect(bypassed("mx.example.com", [entry]))
            #expect(!bypassed("badexample.com", [entry]))
        }
        #expect(bypassed("anything", ["*"]))
        #expect(bypassed("192.0.2.1", ["other", " * "]))
        #expect(!bypassed("mx.example.com", ["*example.com", "", " ", "."]))
    }

    @Test func caseAndTrailingDots() {
        #expect(bypassed("MX.Example.COM", ["example.com"]))
        #expect(bypassed("mx.example.com", ["EXAMPLE.Com"]))
        #expect(bypassed("mx.example.com.", ["example.com"]))
        #expect(bypassed("mx.example.com", ["example.com."]))
        #expect(bypassed("mx.example.com", ["  example.com  "]))
    }

    @Test func ipLiteralsMatchExactly() {
        #expect(bypassed("10.0.0.1", ["10.0.0.1"]))
        #expect(!bypassed("10.0.0.1", ["0.0.1"]))
        #expect(!bypassed("110.0.0.1", ["10.0.0.1"]))
        #expect(!bypassed("10.0.0.1", ["10.0.0.0/8"]))
        #expect(bypassed("::1", ["::1"]))
        #expect(bypassed("[::1]", ["0:0::1"]))
        #expect(bypassed("::1", ["[::1]"]))
        #expect(bypassed("2001:DB8::1", ["2001:db8:0::1"]))
        #expect(!bypassed("::2", ["::1"]))
        // A name entry does not match an address, nor an address entry a name.
        #expect(!bypassed("10.0.0.1", ["1"]))
        #expect(!bypassed("localhost", ["127.0.0.1"]))
    }

    @Test func entriesWithPorts() {
        #expect(bypassed("mx.example.com", ["example.com:25"], port: 25))
        #expect(!bypassed("mx.example.com", ["example.com:25"], port: 587))
        #expect(bypassed("mx.example.com", ["example.com:25"]))
        #expect(bypassed("::1", ["[::1]:587"], port: 587))
        #expect(!bypassed("::1", ["[::1]:587"], port: 25))
        #expect(bypassed("10.0.0.1", ["10.0.0.1:25"], port: 25))
        #expect(bypassed("mx.example.com", ["example.com"], port: 465))
        #expect(!bypassed("mx.example.com", ["example.com:smtp", "[::1", "[::1]x"]))
    }

    @Test func bypassListIsPartOfTheValue() {
        let plain = SMTPProxy(kind: .socks5, host: "p")
        let listed = SMTPProxy(kind: .socks5, host: "p", bypassHosts: ["localhost"])
        let headed = SMTPProxy(
            kind: .httpConnect, host: "p", password: "hunter2",
            extraHeaders: [SMTPProxy.Header(name: "X-Token", value: "secret-token")])
        #expect(plain != listed)
        #expect(Set([plain, listed, plain]).count == 2)
        #expect(listed.description == plain.description)
        var dumped = ""
        dump(headed, to: &dumped)
        #expect(dumped.contains("X-Token"))
        #expect(!dumped.contains("secret-token"))
        #expect(!dumped.contains("hunter2"))
    }
}
