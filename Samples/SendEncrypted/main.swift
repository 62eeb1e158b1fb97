import PGPMail
