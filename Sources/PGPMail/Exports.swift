// The umbrella module: one `import PGPMail` gives the OpenPGP engine, the mail model and
// the SMTP client, plus the glue that sends a `MailMessage` over an `SMTPSession`. The
// in-process test server is a separate product (`SMTPTestServer`).
@_exported import Mail
@_exported import OpenPGP
@_exported import SMTP
