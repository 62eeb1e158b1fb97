import Testing

@testable import SMTP

@Suite("Capabilities")
struct SMTPCapabilitiesTests {
    @Test func parsesTypicalEHLOReply() {
        let reply = SMTPReply(
            code: 250,
            lines: [
                "mx.example Hello client", "PIPELINING", "SIZE 35882577", "8BITMIME", "smtputf8",
                "ENHANCEDSTATUSCODES", "STARTTLS", "AUTH PLAIN LOGIN", "AUTH=LOGIN CRAM-MD5", "DSN", "CHUNKING",
                "X-CUSTOM a b",
            ])
        let capabilities = SMTPCapabilities(ehloReply: reply)
        #expect(capabilities.isExtended)
        #expect(capabilities.serverGreeting == "mx.example Hello client")
        #expect(capabilities.supportsPipelining)
        #expect(capabilities.maximumMessageSize == 35_882_577)
        #expect(capabilities.supports8BitMIME)
        #expect(capabilities.supportsSMTPUTF8)
        #expect(capabilities.supportsEnhancedStatusCodes)
        #expect(capabilities.supportsStartTLS)
        #expect(capabilities.authenticationMechanisms == ["PLAIN", "LOGIN", "CRAM-MD5"])
        #expect(capabilities.supportsDSN)
        #expect(capabilities.supportsChunking)
        #expect(capabilities.contains("x-custom"))
        #expect(capabilities.parameters(for: "X-Custom") == ["a", "b"])
        #expect(capabilities.parameters(for: "VRFY") == nil)
    }

    @Test func sizeWithoutLimit() {
        #expect(SMTPCapabilities(ehloReply: SMTPReply(code: 250, lines: ["mx", "SIZE"])).maximumMessageSize == nil)
        #expect(SMTPCapabilities(ehloReply: SMTPReply(code: 250, lines: ["mx", "SIZE 0"])).maximumMessageSize == nil)
        #expect(SMTPCapabilities(ehloReply: SMTPReply(code: 250, lines: ["mx", "SIZE 0"])).contains("SIZE"))
    }

    @Test func basicSessionHasNoExtensions() {
        let capabilities = SMTPCapabilities(basicSessionGreeting: "mx.example")
        #expect(!capabilities.isExtended)
        #expect(capabilities.keywords.isEmpty)
        #expect(!capabilities.supportsPipelining)
        #expect(capabilities.authenticationMechanisms.isEmpty)
    }
}
