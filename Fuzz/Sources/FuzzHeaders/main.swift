// Address and header parsing. The first byte picks the parser (modulo 8); the rest is the
// header value (or header block) as text.
import FuzzSupport
import Mail

runFuzzer(seeds: HeaderSeeds.make) { bytes in
    let (selector, rest) = split(bytes)
    let value = text(rest)
    switch selector % 8 {
    case 0:
        if let address = try? MailAddress(value) {
            _ = (address.localPart, address.domain, address.requiresSMTPUTF8)
            _ = try? MailAddress(address.headerValue)
        }
    case 1:
        if let addresses = try? MailAddress.parseList(value) {
            _ = try? HeaderField(name: "To", addresses: addresses).rendered()
        }
    case 2:
        if let contentType = try? ContentType(parsing: value) {
            _ = (contentType.mimeType, contentType[parameter: "charset"], contentType[parameter: "boundary"])
            _ = try? ContentType(parsing: contentType.description)
        }
    case 3:
        if let disposition = try? ContentDisposition(parsing: value) {
            _ = disposition.filename
            _ = try? ContentDisposition(parsing: disposition.description)
        }
    case 4:
        if let date = MailDate.parse(value) {
            _ = MailDate.parse(MailDate.format(date))
        }
    case 5:
        _ = try? MessageID.validated(value)
    case 6:
        if let headers = try? MessageHeaders(parsing: value) {
            _ = headers["Subject"]
            for field in headers { _ = try? field.rendered() }
        }
    default:
        if let field = try? HeaderField(name: "Subject", value: value) {
            _ = try? field.rendered(maxLineLength: 40)
        }
        _ = Charset(name: "iso-8859-1")?.decode(rest)
    }
}
