import Foundation
import FuzzSupport
import Mail
import OpenPGP

enum MIMESeeds {
    static func make() throws -> [String: [UInt8]] {
        let key = Fixtures.secretKeys[0]
        let recipients = Fixtures.certificates
        let plain = try MailMessage(
            from: "Fuzz Sender <fuzz-curve25519@example.org>", to: "Fuzz RSA <fuzz-rsa@example.org>",
            subject: "Quarterly numbers – Größe", body: "Hello,\nthe numbers are attached.\n"
        ).withCc([try MailAddress("\"Doe, Jane\" <jane@example.org>")])
            .withDate(Date(timeIntervalSince1970: 1_700_000_000))
        let withAttachment = try plain.withHTML("<p>Hello, <b>numbers</b></p>")
            .addingAttachment(Attachment(filename: "numbers.csv", data: Array("q,value\n1,42\n".utf8)))
            .addingAttachment(Attachment(filename: "Grüße ünïcödé.bin", data: (0..<200).map { UInt8($0) }))
        var seeds: [String: [UInt8]] = [
            "plain.eml": try plain.renderedBytes(),
            "attachments.eml": try withAttachment.renderedBytes(),
            "signed.eml": try withAttachment.signed(by: key).renderedBytes(),
            "clear-signed.eml": try plain.clearSigned(by: key).renderedBytes(),
            "encrypted.eml": try withAttachment.encrypted(for: recipients).renderedBytes(),
            "signed-encrypted.eml": try plain.signedAndEncrypted(by: key, for: [recipients[1]]).renderedBytes(),
            "signed-unprotected.eml": try withAttachment.signed(by: key, headerProtection: .none).renderedBytes(),
            "inline-signed.eml": try withAttachment.withHTML(nil).inlineSigned(by: key, processAttachments: true)
                .renderedBytes(),
            "inline-encrypted.eml": try withAttachment.withHTML(nil).inlineSignedAndEncrypted(
                by: key, for: recipients, processAttachments: true
            ).renderedBytes(),
            "flowed-alternatives.eml": try plain.withText(
                String(repeating: "A long flowed paragraph. ", count: 12), format: .flowed()
            ).addingAlternative(
                text: "BEGIN:VCALENDAR\nEND:VCALENDAR\n",
                contentType: ContentType("text/calendar", parameters: ["method": "REQUEST"])
            ).renderedBytes(),
        ]
        let keys = Fixtures.secretKeys
        guard try PGPMIME.decrypt(seeds["encrypted.eml"]!, using: keys).inner.isMultipart,
            try PGPMIME.decrypt(seeds["signed-encrypted.eml"]!, using: keys, verifyingWith: recipients).openPGP
                .hasGoodSignature,
            try PGPMIME.verify(seeds["signed.eml"]!, with: recipients).hasGoodSignature
        else {
            throw SeedError(description: "the PGP/MIME seeds do not open with the fixtures")
        }
        seeds["handwritten.eml"] = Array(
            """
            From: =?UTF-8?B?SsO2cmc=?= <j@example.org>, "a\\"b" <b@[127.0.0.1]>, group: c@d.example;
            To: undisclosed-recipients:;
            Subject: =?ISO-8859-1?Q?Gr=FC=DFe?= =?utf-8?q?_und_mehr?=
            MIME-Version: 1.0
            Content-Type: multipart/mixed; boundary="==b1"

            preamble
            --==b1
            Content-Type: text/plain; charset*=utf-8''%E2%82%AC; format=flowed
            Content-Transfer-Encoding: quoted-printable

            caf=C3=A9 soft=
             break
            --==b1
            Content-Type: application/octet-stream; name*0*=utf-8''a%20; name*1="b.bin"
            Content-Disposition: attachment; filename="x.bin"
            Content-Transfer-Encoding: base64

            AAECAwQF
            --==b1
            Content-Type: message/rfc822

            Subject: inner

            body
            --==b1--
            epilogue
            """.replacingOccurrences(of: "\n", with: "\r\n").utf8)
        return seeds
    }
}
