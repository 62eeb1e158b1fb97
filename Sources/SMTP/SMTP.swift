// SMTP module.
