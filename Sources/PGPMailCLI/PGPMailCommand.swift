import ArgumentParser
import PGPMail

@main
struct PGPMailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pgpmail",
        abstract: "Compose, sign, encrypt and deliver email with OpenPGP and SMTP.")
}
