// SMTPTestServer module.
