// The umbrella module: one `import PGPMail` gives the OpenPGP engine, the mail model
// and the SMTP client, plus the in-process test server.
@_exported import Mail
@_exported import OpenPGP
@_exported import SMTP
@_exported import SMTPTestServer
